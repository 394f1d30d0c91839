import type { Scope } from '../../../libs/auth/principal.ts';
import { alertVisible } from '../../../libs/tenancy/alert-scope.ts';
import { isFullScope } from '../../../libs/tenancy/promql-scope.ts';
import type { ActiveAlert } from '../engine/alert-state.ts';
import type { RuleState } from '../engine/alert-repository.ts';
import { matchesAll, type Matcher } from '../notify/matchers.ts';
import type { CompiledGroup, CompiledRule } from '../rules/compile.ts';
import { GoTime } from '../template/go-time.ts';
import { prometheusExprString } from './prom-expr-string.ts';

/**
 * Prometheus's rules and alerts API data (web/api/v1/api.go: RuleDiscovery, AlertDiscovery; Prometheus 2.42 field
 * names and formats, plus the newer filters), from Pharos's rule groups and their evaluation state, so Grafana's
 * alert list and "data source managed" rules views read Pharos as they read a Prometheus.
 * Scope: alerts are shown when their cluster and namespace labels are in the caller's scope, as everywhere; rule
 * groups only to unrestricted callers (their queries read every namespace: docs/security.md, Scoped objects).
 */
export interface RulesFilter {
  type?: 'alert' | 'record' | undefined;
  ruleNames?: string[];
  ruleGroups?: string[];
  files?: string[];
  excludeAlerts?: boolean;
  /** match[]: a rule is kept when its labels satisfy one of the selectors. */
  match?: Matcher[][];
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  keepFiringSince?: string;
  value: string;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** strconv.FormatFloat(v, 'e', -1, 64): the shortest exact digits, always in exponent form (1e+00). */
export function goFloatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const [m, e] = v.toExponential().split('e') as [string, string];
  return `${m}e${e.startsWith('-') ? '-' : '+'}${e.replace(/^[-+]/, '').padStart(2, '0')}`;
}

/** RFC 3339 as Go's encoding/json writes a time (fraction trimmed). */
const iso = (ms: number) => new GoTime(ms).toJSON();

/** Label sets as Prometheus writes them: sorted by name. */
const sorted = (kv: Record<string, string>) =>
  Object.fromEntries(Object.entries(kv).sort(([a], [b]) => (a < b ? -1 : 1)));

function apiAlert(a: ActiveAlert): PromAlert {
  return {
    labels: sorted(a.labels),
    annotations: sorted(a.annotations),
    state: a.state === 'firing' ? 'firing' : 'pending',
    activeAt: iso(a.activeAt),
    ...(a.keepFiringSince ? { keepFiringSince: iso(a.keepFiringSince) } : {}),
    value: goFloatE(a.value),
  };
}

export interface PrometheusRulesDeps {
  groups: () => CompiledGroup[];
  /** The persisted rule states (every instance reads the same ones, not only the leader). */
  states: () => Promise<ReadonlyMap<string, RuleState>>;
}

export class PrometheusRulesService {
  constructor(private readonly deps: PrometheusRulesDeps) {}

  private activeAlerts(s: RuleState | undefined, scope: Scope): ActiveAlert[] {
    return (s?.alerts ?? []).filter((a) => a.state !== 'inactive' && alertVisible(scope, a.labels));
  }

  private rule(
    r: CompiledRule,
    s: RuleState | undefined,
    view: { scope: Scope; excludeAlerts: boolean },
  ): Record<string, unknown> {
    const { scope, excludeAlerts } = view;
    // Pharos's "partial" (some clusters failed, their alerts held as they were) has no Prometheus equivalent:
    // it is reported as ok with the failing clusters in lastError.
    const failed = Object.entries(s?.clusterErrors ?? {}).map(([c, e]) => `${c}: ${e}`);
    const lastError = s?.lastError ?? (failed.length ? `clusters failed: ${failed.join('; ')}` : undefined);
    const common = {
      name: r.name,
      query: prometheusExprString(r.expr),
      // Prometheus omits empty labels of a recording rule (omitempty), and always writes an alerting rule's.
      ...(r.type === 'alert' || Object.keys(r.labels).length ? { labels: sorted(r.labels) } : {}),
      health: s?.health === 'err' ? 'err' : s?.health === 'ok' || s?.health === 'partial' ? 'ok' : 'unknown',
      ...(lastError ? { lastError } : {}),
      evaluationTime: (s?.evaluationMs ?? 0) / 1000,
      lastEvaluation: s?.lastEvaluation ? iso(s.lastEvaluation) : ZERO_TIME,
    };
    if (r.type === 'record') return { ...common, type: 'recording' };
    const alerts = this.activeAlerts(s, scope);
    const state = alerts.some((a) => a.state === 'firing') ? 'firing' : alerts.length ? 'pending' : 'inactive';
    return {
      state,
      ...common,
      duration: r.forMs / 1000,
      keepFiringFor: r.keepFiringForMs / 1000,
      annotations: sorted(r.annotations),
      ...(excludeAlerts ? {} : { alerts: alerts.map(apiAlert) }),
      type: 'alerting',
    };
  }

  async rules(scope: Scope, f: RulesFilter = {}): Promise<{ groups: Record<string, unknown>[] }> {
    if (!isFullScope(scope)) return { groups: [] };
    const states = await this.deps.states();
    const groups = [];
    for (const g of this.deps.groups()) {
      const file = g.source.type === 'file' ? g.source.file : '';
      if (f.ruleGroups?.length && !f.ruleGroups.includes(g.name)) continue;
      if (f.files?.length && !f.files.includes(file)) continue;
      const rules = g.rules.filter((r) => {
        if (f.type && (f.type === 'alert') !== (r.type === 'alert')) return false;
        if (f.ruleNames?.length && !f.ruleNames.includes(r.name)) return false;
        return !f.match?.length || f.match.some((ms) => matchesAll(ms, { ...r.labels, __name__: r.name }));
      });
      // Prometheus leaves out a group whose rules were all filtered away, when a filter was given.
      if (!rules.length && (f.type || f.ruleNames?.length || f.match?.length)) continue;
      const ruleStates = rules.map((r) => states.get(r.key));
      const last = Math.max(0, ...ruleStates.map((s) => s?.lastEvaluation ?? 0));
      groups.push({
        name: g.name,
        file,
        rules: rules.map((r, i) => this.rule(r, ruleStates[i], { scope, excludeAlerts: f.excludeAlerts ?? false })),
        interval: g.intervalMs / 1000,
        limit: g.limit,
        evaluationTime: ruleStates.reduce((sum, s) => sum + (s?.evaluationMs ?? 0), 0) / 1000,
        lastEvaluation: last ? iso(last) : ZERO_TIME,
      });
    }
    return { groups };
  }

  async alerts(scope: Scope): Promise<{ alerts: PromAlert[] }> {
    const states = await this.deps.states();
    const out: PromAlert[] = [];
    for (const g of this.deps.groups())
      for (const r of g.rules)
        if (r.type === 'alert') out.push(...this.activeAlerts(states.get(r.key), scope).map(apiAlert));
    return { alerts: out };
  }
}
