import { isPromTarget, type Panel, type Target } from '../../../libs/dashboards/dashboard.schema.ts';
import { interpolate } from '../../../libs/dashboards/interpolate.ts';
import type { DerivedAsk } from '../../../libs/federation/frontend/derived-cache.ts';
import { scopeQuery } from '../../../libs/tenancy/promql-scope.ts';
import { scopeKeyOf } from '../../../libs/tenancy/scope-key.ts';
import { NO_DATA, type PanelResult, type PanelRun, type TargetPlan } from './render.types.ts';
import type { VariableState } from './variable-resolver.ts';

/**
 * Bumped whenever what a panel renders from the same answers changes (series names, point format, fields): entries
 * written by an older rendering are then never read.
 */
const PANEL_FORMAT = 1;

/** One panel of a render: its targets' plans (refId, step, variables) and how to render it when it is not kept. */
export interface PanelJob {
  run: PanelRun;
  plan: (target: Target, index: number) => TargetPlan;
  render: () => Promise<PanelResult>;
}

/**
 * A panel as JSON bytes (JSON.stringify of its result). A panel that reads only PromQL, over a window that ended
 * before the freshness window, with no warning and no error but "no data" (lifetimeOf), is kept in the query frontend's cache of derived
 * values (libs/federation/frontend/derived-cache.ts) and served from there on the next render with the same key:
 * a warm reload then does not convert points or serialize them again (issue 21). Panels that read the record
 * store, spans or text are rendered every time: records can arrive late, into any window.
 */
export async function panelBytes(panel: Panel, job: PanelJob): Promise<Buffer> {
  const cache = job.run.cache;
  const ask = cache ? panelAsk(panel, job) : undefined;
  const key = cache && ask ? await cache.keyOf(ask, job.run.signal) : undefined;
  if (cache && ask && key) {
    const hit = await cache.get(key, ask, job.run.signal);
    if (hit) return hit;
  }
  const result = await job.render();
  const bytes = Buffer.from(JSON.stringify(result));
  const lifetime = cache && key ? lifetimeOf(result) : undefined;
  if (cache && key && lifetime) await cache.set(key, bytes, lifetime);
  return bytes;
}

/**
 * How long a rendered panel may be kept. A warning (a cluster failed, series outside the scope) or an error
 * (timeout, a refused query) describes this moment, not the window: never. "No data" is explained from label values,
 * which the metadata cache keeps only `metadataTtl` (a series created since may show in a past window): that long.
 */
function lifetimeOf(result: PanelResult): 'results' | 'metadata' | undefined {
  if (result.data.warnings.length > 0) return undefined;
  if (!result.error) return 'results';
  return result.error.code === 'PHAROS_ERR_NOT_FOUND' && result.error.message.startsWith(NO_DATA)
    ? 'metadata'
    : undefined;
}

/**
 * What the panel's answer is made from, as the frontend keys its results: every query exactly as the engine is
 * asked it (variables substituted, the caller's scope ANDed on), its step or instant, the caller's scope key, the
 * window; and what the panel adds: its id, title (variables substituted), type, each target's refId and legend.
 * Undefined for a panel that is not kept.
 */
export function panelAsk(panel: Panel, job: Pick<PanelJob, 'run' | 'plan'>): DerivedAsk | undefined {
  if (panel.type === 'text') return undefined;
  const shown = panel.targets.filter((t) => !t.hide);
  if (shown.length === 0 || !shown.every(isPromTarget)) return undefined;
  const { req, scope } = job.run;
  const targets = shown.map((t, i) => {
    const plan = job.plan(t, i);
    const query = scopeQuery(interpolate(t.expr, plan.scope), req.principalScope);
    return { refId: plan.refId, legendFormat: t.legendFormat ?? null, query, stepMs: plan.stepMs, instant: t.instant };
  });
  const head = [panel.id ?? 0, interpolate(panel.title, scope, 'text'), panel.type];
  return {
    kind: 'panel',
    text: JSON.stringify([PANEL_FORMAT, head, targets]),
    queries: targets.map((t) => t.query),
    scopeKey: scopeKeyOf(req.principalScope),
    window: { fromMs: req.range.from, toMs: req.range.to },
    // Range targets read up to their last step (at or before `to`), instant ones at `to`.
    lastMs: req.range.to,
    cacheControl: req.cacheControl,
  };
}

const COMMA = Buffer.from(',');
const END = Buffer.from(']}');

/** The bytes of JSON.stringify({ from, to, variables, panels }) from each panel's own bytes. */
export function joinRender(head: { from: number; to: number; variables: VariableState[] }, panels: Buffer[]): Buffer {
  const parts: Buffer[] = [
    Buffer.from(
      `{"from":${JSON.stringify(head.from)},"to":${JSON.stringify(head.to)},"variables":${JSON.stringify(head.variables)},"panels":[`,
    ),
  ];
  panels.forEach((p, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(p);
  });
  parts.push(END);
  return Buffer.concat(parts);
}
