import type { Logger } from '../../../libs/logging/logger.ts';
import type { AlertRule, CompiledGroup } from '../rules/compile.ts';
import { applyResult, type Transition } from './alert-state.ts';
import type { AlertRepository, RuleHealth, RuleState } from './alert-repository.ts';
import { Limiter } from './limiter.ts';
import type { AlertSink, NotifiableAlert } from './notifiable.ts';
import { queryRule, type RuleSources } from './rule-query.ts';

export interface EngineOptions {
  sources: RuleSources;
  repo: AlertRepository;
  sink: AlertSink;
  logger: Logger;
  resolvedRetentionMs: number;
  queryTimeoutMs: number;
  concurrency: number;
  externalUrl: string;
}

/**
 * Evaluates rule groups and keeps each rule's alerts. State is loaded from the store at start and written back
 * whenever an alert changes state, so a restart (or a new leader) neither loses firing alerts nor re-notifies.
 */
export class AlertEngine {
  private states = new Map<string, RuleState>();
  private readonly limiter: Limiter;

  constructor(private readonly opts: EngineOptions) {
    this.limiter = new Limiter(opts.concurrency);
  }

  /** Reloads persisted state (at start, and when this instance becomes leader) and re-announces the alerts. */
  async load(signal?: AbortSignal): Promise<void> {
    this.states = await this.opts.repo.loadAll(signal);
    const now = Date.now();
    this.opts.sink.put([...this.states.values()].flatMap((s) => this.notifiable(s, now)));
  }

  ruleStates(): ReadonlyMap<string, RuleState> {
    return this.states;
  }

  async evaluateGroup(group: CompiledGroup, nowMs: number, signal: AbortSignal): Promise<void> {
    const rules = group.rules.filter((r): r is AlertRule => r.type === 'alert');
    const out: NotifiableAlert[] = [];
    const changed: { state: RuleState; transitions: Transition[] }[] = [];
    await Promise.all(
      rules.map((rule) =>
        this.limiter.run(async () => {
          const r = await this.evaluateRule(group, rule, { nowMs, signal });
          out.push(...r.notifiable);
          if (r.changed) changed.push(r.changed);
        }),
      ),
    );
    // Persist before notifying, so a crash right after a notification cannot forget the alert it was about.
    if (changed.length) {
      await this.opts.repo.saveMany(
        changed.map((c) => c.state),
        changed.map((c) => ({ group: group.id, ruleKey: c.state.ruleKey, transitions: c.transitions })),
      );
    }
    this.opts.sink.put(out);
  }

  private async evaluateRule(
    group: CompiledGroup,
    rule: AlertRule,
    at: { nowMs: number; signal: AbortSignal },
  ): Promise<{ notifiable: NotifiableAlert[]; changed?: { state: RuleState; transitions: Transition[] } }> {
    const { nowMs, signal } = at;
    const prev = this.states.get(rule.key) ?? {
      ruleKey: rule.key,
      group: group.id,
      alertname: rule.name,
      health: 'unknown' as RuleHealth,
      clusterErrors: {},
      alerts: [],
    };
    const started = performance.now();
    let next: RuleState;
    let transitions: Transition[] = [];
    try {
      const timeout = AbortSignal.any([signal, AbortSignal.timeout(this.opts.queryTimeoutMs)]);
      const result = await queryRule(rule, { nowMs, sources: this.opts.sources, signal: timeout });
      const failed = new Set(result.failedClusters.keys());
      const applied = applyResult(
        rule,
        { previous: prev.alerts, samples: result.samples },
        {
          now: nowMs,
          resolvedRetentionMs: this.opts.resolvedRetentionMs,
          externalUrl: this.opts.externalUrl,
          failedClusters: failed,
        },
      );
      transitions = applied.transitions;
      let alerts = applied.alerts;
      let lastError: string | undefined;
      if (group.limit > 0 && alerts.filter((a) => a.state !== 'inactive').length > group.limit) {
        // Prometheus: exceeding the group's limit fails the rule and drops its alerts.
        lastError = `exceeded limit of ${group.limit} alerts`;
        alerts = [];
      }
      const health: RuleHealth =
        lastError || (failed.size > 0 && failed.size >= this.opts.sources.clusters().length && rule.source === 'metric')
          ? 'err'
          : failed.size
            ? 'partial'
            : 'ok';
      next = {
        ...prev,
        alerts,
        health,
        clusterErrors: Object.fromEntries(result.failedClusters),
        lastEvaluation: nowMs,
        evaluationMs: performance.now() - started,
      };
      if (lastError) next.lastError = lastError;
      else delete next.lastError;
    } catch (err) {
      if (signal.aborted) return { notifiable: [] };
      // A failed query changes nothing: alerts hold their state until the rule can be evaluated again.
      next = {
        ...prev,
        health: 'err',
        lastError: (err as Error).message,
        lastEvaluation: nowMs,
        evaluationMs: performance.now() - started,
      };
      this.opts.logger.warn(
        { rule: rule.name, group: group.name, err: (err as Error).message },
        'rule evaluation failed',
      );
    }
    this.states.set(rule.key, next);
    const changed =
      transitions.length > 0 ||
      next.health !== prev.health ||
      next.lastError !== prev.lastError ||
      JSON.stringify(next.clusterErrors) !== JSON.stringify(prev.clusterErrors);
    return { notifiable: this.notifiable(next, nowMs), ...(changed ? { changed: { state: next, transitions } } : {}) };
  }

  /**
   * Firing alerts and resolved ones still retained, in Alertmanager's shape (startsAt = firedAt, as Prometheus sends).
   */
  private notifiable(state: RuleState, now: number): NotifiableAlert[] {
    const url = `${this.opts.externalUrl}/v1/alert-rules/${encodeURIComponent(state.group)}`;
    return state.alerts
      .filter((a) => a.state === 'firing' || (a.state === 'inactive' && a.firedAt !== undefined))
      .map((a) => ({
        fingerprint: a.fingerprint,
        labels: a.labels,
        annotations: a.annotations,
        startsAt: a.firedAt ?? a.activeAt,
        ...(a.state === 'inactive' ? { endsAt: a.resolvedAt ?? now } : {}),
        generatorURL: url,
        updatedAt: now,
      }));
  }

  /** A deleted rule resolves what it had firing, so receivers hear the end of it. */
  async forget(ruleKeys: readonly string[]): Promise<void> {
    const now = Date.now();
    const resolved: NotifiableAlert[] = [];
    for (const key of ruleKeys) {
      const state = this.states.get(key);
      if (!state) continue;
      for (const a of state.alerts) {
        if (a.state !== 'firing') continue;
        a.state = 'inactive';
        a.resolvedAt = now;
      }
      resolved.push(...this.notifiable(state, now));
      this.states.delete(key);
      await this.opts.repo.remove(key);
    }
    this.opts.sink.put(resolved);
  }
}
