import type { Scope } from '../../../libs/auth/principal.ts';
import {
  allPanels,
  isPromTarget,
  type Dashboard,
  type Panel,
  type Target,
} from '../../../libs/dashboards/dashboard.schema.ts';
import { constant, interpolate, type VariableScope } from '../../../libs/dashboards/interpolate.ts';
import type { CacheControl } from '../../../libs/federation/frontend/frontend.types.ts';
import { vectorSelectors } from '../../../libs/dashboards/metric-names.ts';
import type { TimeRange } from '../../../libs/dashboards/time-range.ts';
import { formatDuration, sumDurationTerms } from '../../../libs/time/duration.ts';
import { PharosError } from '../../../libs/errors/errors.ts';
import type { Logger } from '../../../libs/logging/logger.ts';
import { scopeSeriesMatch } from '../../../libs/tenancy/promql-scope.ts';
import type { MetricsPort, RecordsPort, TopologyPort } from './dashboards.ports.ts';
import { joinRender, panelBytes } from './panel-cache.ts';
import { runPromTarget } from './prom-target.runner.ts';
import { runRecordTarget } from './record-target.runner.ts';
import { runTopologyTarget } from './topology-target.runner.ts';
import {
  NO_DATA,
  type PanelData,
  type PanelResult,
  type PanelRun,
  type TargetContext,
  type TargetOutput,
  type TargetPlan,
} from './render.types.ts';
import { resolveVariables, type VariableState } from './variable-resolver.ts';

/** Target runners keyed by data source; a new source is one entry here. */
const TARGET_RUNNERS: Record<
  NonNullable<Target['datasource']>,
  (t: Target, ctx: TargetContext) => Promise<TargetOutput>
> = {
  prometheus: (t, ctx) => runPromTarget(t as Extract<Target, { expr: string }>, ctx),
  logs: (t, ctx) => runRecordTarget(t as Extract<Target, { datasource: 'logs' }>, ctx),
  events: (t, ctx) => runRecordTarget(t as Extract<Target, { datasource: 'events' }>, ctx),
  audit: (t, ctx) => runRecordTarget(t as Extract<Target, { datasource: 'audit' }>, ctx),
  topology: (t, ctx) => runTopologyTarget(t as Extract<Target, { datasource: 'topology' }>, ctx),
};

/** Prometheus's default scrape interval: no step below it gives more points. */
const DEFAULT_MIN_STEP_MS = 15_000;
/** Prometheus refuses range queries of more than 11,000 points per series. */
const MAX_POINTS = 11_000;
const NICE_STEPS_S = [
  1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800,
];

export interface RendererOptions {
  metrics: () => Promise<MetricsPort>;
  records: () => Promise<RecordsPort>;
  /** The traces service for topology panels; without it they answer PHAROS_ERR_UNAVAILABLE. */
  topology?: (() => Promise<TopologyPort>) | undefined;
  logger: Logger;
  /** Whole-render timeout; panels still running then report PHAROS_ERR_TIMEOUT. */
  timeoutMs: number;
  /** Targets running at once across all panels. */
  concurrency: number;
  /** query.maxRangeDays, applied to logs/events/audit targets. */
  maxRecordRangeDays: number;
}

export interface RenderRequest {
  range: TimeRange;
  requested: Record<string, string[]>;
  principalScope: Scope;
  maxDataPoints: number;
  signal?: AbortSignal | undefined;
  /** The request's Cache-Control: `no-cache` renders afresh (and keeps), `no-store` neither reads nor keeps. */
  cacheControl?: CacheControl | undefined;
}

export interface RenderResult {
  from: number;
  to: number;
  variables: VariableState[];
  panels: PanelResult[];
}

export class DashboardRenderer {
  constructor(private readonly opts: RendererOptions) {}

  /** Every panel, collapsed rows included, at once; one panel's failure is reported beside the others. */
  async render(dashboard: Dashboard, req: RenderRequest): Promise<RenderResult> {
    const { states, run } = await this.prepare(dashboard, req);
    const panels = await Promise.all(allPanels(dashboard).map((p) => this.renderPanel(p, run)));
    return { from: req.range.from, to: req.range.to, variables: states, panels };
  }

  /**
   * The render's answer as JSON bytes: the bytes of JSON.stringify(render()), with each panel the cache may keep
   * taken from the query frontend's cache of derived values or kept there (panel-cache.ts).
   */
  async renderJson(dashboard: Dashboard, req: RenderRequest): Promise<Buffer> {
    const { states, run } = await this.prepare(dashboard, req);
    const panels = await Promise.all(
      allPanels(dashboard).map((p) =>
        panelBytes(p, { run, plan: (t, i) => this.plan(t, i, run), render: () => this.renderPanel(p, run) }),
      ),
    );
    return joinRender({ from: req.range.from, to: req.range.to, variables: states }, panels);
  }

  /** The variables resolved, and what every panel of this render shares. */
  private async prepare(dashboard: Dashboard, req: RenderRequest): Promise<{ states: VariableState[]; run: PanelRun }> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), ...(req.signal ? [req.signal] : [])]);
    const { scope, states } = await resolveVariables(dashboard.variables, {
      range: req.range,
      requested: req.requested,
      metrics: this.opts.metrics,
      principalScope: req.principalScope,
      withOptions: false,
      signal,
      cacheControl: req.cacheControl,
    });
    const cache = await this.opts.metrics().then(
      (m) => m.derivedCache,
      () => undefined,
    );
    return { states, run: { scope, req, signal, limit: limiter(this.opts.concurrency), cache } };
  }

  /** The viewer's pickers: every variable with its options and selection. */
  async variables(dashboard: Dashboard, req: Omit<RenderRequest, 'maxDataPoints'>): Promise<VariableState[]> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), ...(req.signal ? [req.signal] : [])]);
    return (
      await resolveVariables(dashboard.variables, {
        range: req.range,
        requested: req.requested,
        metrics: this.opts.metrics,
        principalScope: req.principalScope,
        withOptions: true,
        signal,
      })
    ).states;
  }

  private async renderPanel(panel: Panel, run: PanelRun): Promise<PanelResult> {
    const head = { id: panel.id ?? 0, title: interpolate(panel.title, run.scope, 'text'), type: panel.type };
    const data: PanelData = { series: [], records: [], warnings: [] };
    if (panel.type === 'text')
      return { ...head, data: { ...data, content: interpolate(panel.content ?? '', run.scope, 'raw') } };
    const targets = panel.targets.filter((t) => !t.hide);
    const outcomes = await Promise.allSettled(targets.map((t, i) => run.limit(() => this.runTarget(t, i, run))));
    const errors: string[] = [];
    let code = 'PHAROS_ERR_INTERNAL';
    outcomes.forEach((o, i) => {
      if (o.status === 'fulfilled') {
        data.series.push(...o.value.series);
        data.records.push(...o.value.records);
        data.warnings.push(...o.value.warnings);
        if (o.value.topology) data.topology = o.value.topology;
        return;
      }
      const e = this.describe(o.reason, panel);
      code = e.code;
      errors.push(targets.length > 1 ? `${refIdOf(targets[i]!, i)}: ${e.message}` : e.message);
    });
    if (errors.length) return { ...head, data, error: { code, message: errors.join('; ') } };
    const why = await this.explainEmpty(targets, data, run);
    if (why) return { ...head, data, error: { code: 'PHAROS_ERR_NOT_FOUND', message: why } };
    return { ...head, data };
  }

  /** A target's refId, step and variables (the built-in $__interval and friends for its step). */
  private plan(target: Target, index: number, run: PanelRun): TargetPlan {
    const minStep = isPromTarget(target) && target.step ? sumDurationTerms(target.step) : DEFAULT_MIN_STEP_MS;
    const stepMs = stepFor(run.req.range, run.req.maxDataPoints, minStep);
    return { refId: refIdOf(target, index), stepMs, scope: { ...run.scope, ...builtins(run.req.range, stepMs) } };
  }

  private runTarget(target: Target, index: number, run: PanelRun): Promise<TargetOutput> {
    const ctx: TargetContext = {
      ...this.plan(target, index, run),
      range: run.req.range,
      metrics: this.opts.metrics,
      records: this.opts.records,
      topology: this.opts.topology,
      principalScope: run.req.principalScope,
      maxRecordRangeMs: this.opts.maxRecordRangeDays * 86_400_000,
      signal: run.signal,
      cacheControl: run.req.cacheControl,
    };
    return TARGET_RUNNERS[target.datasource ?? 'prometheus'](target, ctx);
  }

  /**
   * When PromQL targets all came back empty, says which selected metrics exist nowhere, or which selectors
   * match no series: "no data" alone does not tell a user whether the exporter is missing or a label
   * matcher (job="node" where the exporter is job="node-exporter") excludes everything.
   */
  private async explainEmpty(targets: Target[], data: PanelData, run: PanelRun): Promise<string | undefined> {
    const prom = targets.filter(isPromTarget);
    if (prom.length === 0 || data.series.length > 0) return undefined;
    const scope = { ...run.scope, ...builtins(run.req.range, DEFAULT_MIN_STEP_MS) };
    const selectors = [
      ...new Map(prom.flatMap((t) => vectorSelectors(interpolate(t.expr, scope))).map((s) => [s.text, s])).values(),
    ];
    const matches = (selector: string) => this.matchesAny(selector, run);
    const empty = (await Promise.all(selectors.map(async (s) => ((await matches(s.text)) ? [] : [s])))).flat();
    if (empty.length === 0) return undefined;
    const metrics = [...new Set(empty.flatMap((s) => (s.metric ? [s.metric] : [])))];
    const absent = (await Promise.all(metrics.map(async (m) => ((await matches(m)) ? [] : [m])))).flat();
    if (absent.length)
      return `${NO_DATA}metric${absent.length > 1 ? 's' : ''} ${absent.join(', ')} not found in any cluster in this time range`;
    const shown = empty
      .slice(0, 3)
      .map((s) => s.text)
      .join(', ');
    return `${NO_DATA}${shown}${empty.length > 3 ? ` and ${empty.length - 3} more` : ''} match${empty.length > 1 ? '' : 'es'} no series (the metric exists, the label matchers exclude it)`;
  }

  /** Whether a selector matches any series in the range, as the caller may see it; unknown counts as yes. */
  private async matchesAny(selector: string, run: PanelRun): Promise<boolean> {
    const metrics = await this.opts.metrics();
    const window = { start: run.req.range.from / 1000, end: run.req.range.to / 1000 };
    return run.limit(() =>
      metrics
        .labelValues(
          '__name__',
          {
            match: scopeSeriesMatch([selector], run.req.principalScope),
            ...window,
            ...(run.req.cacheControl ? { cacheControl: run.req.cacheControl } : {}),
          },
          run.signal,
        )
        .then(
          (r) => r.data.length > 0,
          () => true,
        ),
    );
  }

  private describe(err: unknown, panel: Panel): { code: string; message: string } {
    if (err instanceof PharosError) return { code: err.code, message: err.message };
    const name = (err as Error)?.name;
    if (name === 'TimeoutError' || name === 'AbortError')
      return { code: 'PHAROS_ERR_TIMEOUT', message: `the panel did not finish within ${this.opts.timeoutMs} ms` };
    this.opts.logger.warn({ err, panel: panel.id }, 'dashboard panel failed');
    return { code: 'PHAROS_ERR_INTERNAL', message: `panel failed: ${(err as Error)?.message ?? String(err)}` };
  }
}

const refIdOf = (t: Target, i: number): string => t.refId ?? String.fromCharCode(65 + (i % 26));

/** Grafana's interval: range / maxDataPoints, at least the minimum step, rounded up to a familiar value. */
export function stepFor(range: TimeRange, maxDataPoints: number, minStepMs: number): number {
  const span = range.to - range.from;
  const raw = Math.max(span / maxDataPoints, minStepMs, span / MAX_POINTS);
  const nice = NICE_STEPS_S.find((s) => s * 1000 >= raw);
  return nice ? nice * 1000 : Math.ceil(raw / 1000) * 1000;
}

/**
 * Grafana's global variables
 * (https://grafana.com/docs/grafana/latest/dashboards/variables/add-template-variables/#global-variables).
 */
export function builtins(range: TimeRange, stepMs: number): VariableScope {
  const span = range.to - range.from;
  return {
    __interval: constant(formatDuration(stepMs)),
    __interval_ms: constant(String(stepMs)),
    // max($__interval + scrape interval, 4 × scrape interval), scrape interval 15 s.
    __rate_interval: constant(formatDuration(Math.max(stepMs + DEFAULT_MIN_STEP_MS, 4 * DEFAULT_MIN_STEP_MS))),
    __range: constant(formatDuration(span)),
    __range_s: constant(String(Math.round(span / 1000))),
    __range_ms: constant(String(span)),
    __from: constant(String(range.from)),
    __to: constant(String(range.to)),
  };
}

/** At most `n` tasks at once; the rest wait their turn in order. A finishing task hands its slot on. */
export function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const waiter = queue.shift();
      if (waiter) waiter();
      else active--;
    }
  };
}
