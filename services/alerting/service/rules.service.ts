import type { Scope } from '../../../libs/auth/principal.ts';
import { ForbiddenError, InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import { tryParseDuration as parseDuration } from '../../../libs/time/duration.ts';
import { isFullScope } from '../../../libs/tenancy/promql-scope.ts';
import type { AlertEngine } from '../engine/alert-engine.ts';
import type { RuleState } from '../engine/alert-repository.ts';
import { backtest, type BacktestResult } from '../engine/backtest.ts';
import type { RuleSources } from '../engine/rule-query.ts';
import type { CompiledGroup, CompiledRule } from '../rules/compile.ts';
import type { GroupView, RuleCatalog } from '../rules/rule-catalog.ts';
import type { RuleGroupSpec } from '../rules/rule.schema.ts';

export interface RulesServiceOptions {
  catalog: RuleCatalog;
  engine: Pick<AlertEngine, 'ruleStates' | 'forget'>;
  sources: RuleSources;
  resolvedRetentionMs: number;
  externalUrl: string;
}

/** A backtest: an inline group (not saved) or the id/name of an existing one, over [start, end] in epoch ms. */
export interface BacktestInput {
  group?: RuleGroupSpec | undefined;
  name?: string | undefined;
  start: number;
  end: number;
  step?: string | undefined;
  signal: AbortSignal;
}

/**
 * Rule groups from files (read-only) and the API, with their evaluation state, and backtesting. Rule groups are
 * global (only unrestricted tokens change them) and their queries read every namespace, so a restricted caller
 * sees none of them (docs/security.md, Scoped objects).
 */
export class RulesService {
  constructor(private readonly opts: RulesServiceOptions) {}

  list(scope: Scope) {
    if (!isFullScope(scope)) return { groups: [], fileProblems: [] };
    const { catalog, engine } = this.opts;
    const states = engine.ruleStates();
    const groups = catalog.views().map((v) => {
      const compiled = catalog.groups().find((g) => g.id === v.id);
      return { ...v, rules: (compiled?.rules ?? []).map((r) => ruleView(r, states.get(r.key))) };
    });
    return { groups, fileProblems: catalog.fileProblems() };
  }

  get(scope: Scope, name: string): GroupView {
    if (!isFullScope(scope)) throw new NotFoundError(`rule group "${name}" not found`);
    return this.opts.catalog.view(name);
  }

  create(spec: RuleGroupSpec): Promise<GroupView> {
    return this.opts.catalog.create(spec);
  }

  /** Replaces a group and drops the state of its rules that no group has any more (their alerts resolve). */
  async replace(change: { name: string; spec: RuleGroupSpec; version?: number | undefined }): Promise<GroupView> {
    const { catalog, engine } = this.opts;
    const { view, replaced } = await catalog.update(change.name, change.spec, change.version);
    const kept = new Set(catalog.groups().flatMap((g) => g.rules.map((r) => r.key)));
    if (replaced) await engine.forget(replaced.rules.map((r) => r.key).filter((k) => !kept.has(k)));
    return view;
  }

  /** Deletes a group and the state of its rules. */
  async remove(name: string): Promise<void> {
    const removed = await this.opts.catalog.remove(name);
    if (removed) await this.opts.engine.forget(removed.rules.map((r) => r.key));
  }

  async backtest(scope: Scope, input: BacktestInput): Promise<BacktestResult> {
    // Issue 8: rule expressions are not scoped yet, so a backtest would read outside a restricted scope.
    if (!isFullScope(scope))
      throw new ForbiddenError('backtesting needs a token with an unrestricted scope (clusters and namespaces "*")');
    const { group, name, start, end, step } = input;
    if (Boolean(group) === Boolean(name))
      throw new InputError('give exactly one of group (inline) or name (an existing group)', [
        { path: 'body.group', message: 'or name' },
      ]);
    if (end < start)
      throw new InputError('end is before start', [{ path: 'body.end', message: 'must not be before start' }]);
    const stepMs = step === undefined ? undefined : parseDuration(step);
    if (stepMs === 0 || (step !== undefined && stepMs === undefined))
      throw new InputError('step must be a positive Prometheus duration', [
        { path: 'body.step', message: 'invalid duration' },
      ]);
    const compiled = group ? this.opts.catalog.validate(group) : this.existing(name as string);
    return backtest(
      compiled,
      { start, end, ...(stepMs ? { stepMs } : {}) },
      {
        sources: this.opts.sources,
        resolvedRetentionMs: this.opts.resolvedRetentionMs,
        externalUrl: this.opts.externalUrl,
        signal: input.signal,
      },
    );
  }

  private existing(name: string): CompiledGroup {
    const found = this.opts.catalog.groups().find((g) => g.id === name || (g.source.type === 'api' && g.name === name));
    if (!found)
      throw new InputError(`rule group "${name}" not found`, [{ path: 'body.name', message: 'unknown group' }]);
    return found;
  }
}

function ruleView(r: CompiledRule, s: RuleState | undefined) {
  return {
    type: r.type,
    name: r.name,
    expr: r.expr,
    ...(r.type === 'alert' ? { source: r.source } : { evaluated: false }),
    health: s?.health ?? 'unknown',
    ...(s?.lastError ? { lastError: s.lastError } : {}),
    clusterErrors: s?.clusterErrors ?? {},
    ...(s?.lastEvaluation
      ? { lastEvaluation: new Date(s.lastEvaluation).toISOString(), evaluationMs: s.evaluationMs }
      : {}),
    activeAlerts: s?.alerts.filter((a) => a.state !== 'inactive').length ?? 0,
  };
}
