import type { TopologyTarget } from '../../../libs/dashboards/topology-target.schema.ts';
import { interpolateFilter } from '../../../libs/dashboards/interpolate.ts';
import { LimitError, UnavailableError } from '../../../libs/errors/errors.ts';
import { byId } from '../../../libs/traces/topology.ts';
import type { TopologyAnswer } from '../traces/traces.service.ts';
import type { TargetContext, TargetOutput } from './render.types.ts';

/**
 * Most topology reads one panel makes: a multi-value cluster × namespace selection asks the traces service once
 * per pair, and each ask reads the window's spans again.
 */
export const MAX_TOPOLOGY_ASKS = 25;

/**
 * Runs a topology panel's target through the traces service (`GET /v1/topology`'s service method) over the
 * panel's range, under the caller's scope: the service reads only spans and series the caller may see and
 * refuses a cluster or namespace outside the scope (a per-panel 403).
 */
export async function runTopologyTarget(target: TopologyTarget, ctx: TargetContext): Promise<TargetOutput> {
  if (!ctx.topology)
    throw new UnavailableError('topology panels need the traces service, which this process does not run');
  const clusters = filterValues(target.cluster, ctx);
  const namespaces = filterValues(target.namespace, ctx);
  const asks = clusters.flatMap((cluster) => namespaces.map((namespace) => ({ cluster, namespace })));
  if (asks.length > MAX_TOPOLOGY_ASKS)
    throw new LimitError(
      `the panel's cluster × namespace selection is ${asks.length} pairs; a topology panel reads at most ${MAX_TOPOLOGY_ASKS}; select fewer or All`,
    );
  const service = await ctx.topology();
  const answers = await Promise.all(
    asks.map((where) =>
      service.topology(
        { start: ctx.range.from, end: ctx.range.to, ...where, sources: target.sources },
        ctx.principalScope,
        ctx.signal,
      ),
    ),
  );
  const topology = answers.length === 1 ? answers[0]! : union(answers, ctx.range);
  return { series: [], records: [], warnings: topology.warnings ?? [], topology };
}

/**
 * One filter's values: unset or "All" is no filter (`[undefined]`), a variable its selected values. A filter
 * whose variable has no value selected matches nothing (`[]`), as an empty record filter does.
 */
function filterValues(value: string | undefined, ctx: TargetContext): (string | undefined)[] {
  if (value === undefined) return [undefined];
  const values = interpolateFilter([value], ctx.scope);
  if (values === undefined) return [undefined];
  return [...new Set(values.map((v) => v.trim()).filter(Boolean))];
}

/**
 * The answers of several filters over the same window: each is the same graph filtered to calls with an end
 * in one cluster/namespace, so their union by id is the graph filtered to calls with an end in any of them.
 */
function union(answers: TopologyAnswer[], range: { from: number; to: number }): TopologyAnswer {
  const nodes = new Map(answers.flatMap((a) => a.nodes.map((n) => [n.id, n] as const)));
  const edges = new Map(answers.flatMap((a) => a.edges.map((e) => [e.id, e] as const)));
  const warnings = [...new Set(answers.flatMap((a) => a.warnings ?? []))];
  return {
    start: answers[0]?.start ?? range.from,
    end: answers[0]?.end ?? range.to,
    spans: Math.max(0, ...answers.map((a) => a.spans)),
    partial: answers.some((a) => a.partial),
    nodes: [...nodes.values()].sort(byId),
    edges: [...edges.values()].sort(byId),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
