import { UnprocessableError } from '../errors/errors.ts';
import type { Leaf } from '../promql/ast.ts';
import type { Grid } from '../promql/eval/subquery.ts';
import { leafForPrometheus2 } from '../promql/mixed-fleet.ts';
import { leafExprFor, leafQueryFor, type Plan } from '../promql/planner.ts';
import type { FanoutCall } from './cluster-fanout.ts';
import { describeMembers, type FleetSemantics } from './fleet-semantics.ts';
import type { ClusterConfig } from './prometheus.client.ts';

export type Window =
  { kind: 'instant'; time: number } | { kind: 'range'; grid: Grid; start: number; end: number; step: number };

export interface LeafCall extends FanoutCall {
  leaf: Leaf;
  /** The member runs Prometheus 2 in a fleet served with Prometheus 3's rules: its answer was rewritten for. */
  rewritten: boolean;
}

export function topGrid(w: Window): Grid {
  if (w.kind === 'range') return w.grid;
  const t = Math.round(w.time * 1000);
  return { startMs: t, endMs: t, stepMs: 1, steps: 1 };
}

export interface LeafCallOptions {
  plan: Plan;
  window: Window;
  grids: ReadonlyMap<number, Grid>;
  sem: FleetSemantics;
  cluster: (name: string) => ClusterConfig;
}

/**
 * One call per leaf and cluster, with the leaf's time parameters: the query's own, or an enclosing subquery's
 * grid (fetched with query_range). In a mixed fleet, what Pharos combines across clusters must follow the
 * served version: a Prometheus 2 member gets the leaf rewritten to 3.x's windows, or the query is refused.
 */
export function leafCalls(o: LeafCallOptions): LeafCall[] {
  const calls: LeafCall[] = [];
  const outer = topGrid(o.window);
  for (const leaf of o.plan.leaves) {
    const grid = leaf.gridId === undefined ? undefined : (o.grids.get(leaf.gridId) as Grid);
    if (grid?.steps === 0) continue;
    for (const name of leaf.clusters) {
      const text = leafText(o, {
        leaf,
        cluster: name,
        times: grid ? { startMs: outer.startMs, endMs: outer.queryEndMs ?? outer.endMs } : undefined,
      });
      const params = new URLSearchParams({ query: text.query });
      if (grid)
        for (const [k, v] of [
          ['start', grid.startMs],
          ['end', grid.endMs],
          ['step', grid.stepMs],
        ] as const)
          params.set(k, String(v / 1000));
      else if (o.window.kind === 'instant') params.set('time', String(o.window.time));
      else for (const k of ['start', 'end', 'step'] as const) params.set(k, String(o.window[k]));
      calls.push({
        leaf,
        cluster: o.cluster(name),
        path: !grid && o.window.kind === 'instant' ? 'query' : 'query_range',
        params,
        rewritten: text.rewritten,
        ...(o.plan.passThrough ? { passThrough: true } : {}),
      });
    }
  }
  return calls;
}

/** The query text one cluster is sent for one leaf (`times`: the outer window a subquery leaf is resolved in). */
function leafText(
  o: LeafCallOptions,
  { leaf, cluster, times }: { leaf: Leaf; cluster: string; times: { startMs: number; endMs: number } | undefined },
): { query: string; rewritten: boolean } {
  const plain = leafQueryFor(leaf, cluster, times);
  const { sem } = o;
  // Cluster-local queries are each member's own answer; only combined parts must agree on the rules.
  if (!sem.mixed || o.plan.passThrough) return { query: plain, rewritten: false };
  const major = sem.majors.get(cluster);
  if (major === sem.parse.version) return { query: plain, rewritten: false };
  const members = describeMembers(
    sem,
    o.plan.leaves.flatMap((l) => l.clusters).filter((c, i, all) => all.indexOf(c) === i),
  );
  const why = (reason: string): never => {
    throw new UnprocessableError(
      `members run different Prometheus versions (${members}); this query combines their answers across clusters, and ${reason}. Ask one version's clusters (a cluster matcher) or set federation.promqlVersion`,
    );
  };
  if (major === undefined) return why(`cluster "${cluster}" does not report its version`);
  if (sem.parse.version !== 3 || major !== 2) return why(`Pharos serves Prometheus ${sem.parse.version} rules here`);
  try {
    // The rewrite works on the leaf as sent (cluster matchers already resolved for this cluster).
    return {
      query: leafForPrometheus2(leafExprFor(leaf, cluster, times), {
        lookbackMs: sem.lookbackMs.get(cluster) ?? 300_000,
        subqueryStepMs: sem.eval.subqueryStepMs,
      }),
      rewritten: true,
    };
  } catch (err) {
    if (err instanceof UnprocessableError) return why(err.message);
    throw err;
  }
}
