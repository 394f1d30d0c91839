import type { Expr } from './ast.ts';
import { typeOf } from './typecheck.ts';

/**
 * Cluster locality (see /work/shared/notes/federation.md):
 * - `const`: no selector at all; the same in every cluster (`1`, `time()`, `vector(1)`).
 * - `local`: every output series depends on one cluster's data only and keeps the `cluster` label, so each
 *   cluster can compute it and Pharos only adds `cluster` and concatenates.
 * - `global`: anything else; Pharos evaluates it over the merged answers of its local parts.
 */
export type Locality = 'const' | 'local' | 'global';

export const CLUSTER_LABEL = 'cluster';

/** Functions whose output is not one series per input series of one cluster. */
const CROSS_SERIES_FUNCTIONS = new Set([
  'absent',
  'absent_over_time',
  'scalar',
  'vector',
  'sort',
  'sort_desc',
  'time',
  'pi',
  // Prometheus 3: ordering over all series, and info(), which joins target_info on instance/job (not cluster).
  'sort_by_label',
  'sort_by_label_desc',
  'info',
  'start',
  'end',
  'step',
  'range',
]);

export function locality(e: Expr): Locality {
  switch (e.kind) {
    case 'number':
    case 'string':
      return 'const';
    case 'vector':
    case 'matrix':
      return 'local';
    case 'leaf':
      return 'local';
    case 'subquery':
    case 'paren':
    case 'unary':
      return locality(e.expr);
    case 'call':
      return callLocality(e);
    case 'aggregate':
      return aggregateLocality(e);
    case 'binary':
      return binaryLocality(e);
  }
}

function combine(parts: Locality[]): Locality {
  if (parts.includes('global')) return 'global';
  return parts.includes('local') ? 'local' : 'const';
}

function callLocality(e: Extract<Expr, { kind: 'call' }>): Locality {
  const parts = e.args.map(locality);
  const all = combine(parts);
  if (all !== 'local') return all;
  if (CROSS_SERIES_FUNCTIONS.has(e.func)) return 'global';
  // Only the series argument may depend on a cluster; parameters computed from other series would need the whole union.
  const seriesArg =
    e.func === 'histogram_quantile' || e.func === 'quantile_over_time' ? 1 : e.func === 'histogram_fraction' ? 2 : 0;
  if (parts.some((p, i) => i !== seriesArg && p !== 'const')) return 'global';
  if (e.func === 'label_replace' || e.func === 'label_join') {
    const touched = e.func === 'label_replace' ? [e.args[1], e.args[3]] : [e.args[1], ...e.args.slice(3)];
    if (touched.some((a) => a?.kind === 'string' && a.value === CLUSTER_LABEL)) return 'global';
  }
  return 'local';
}

function aggregateLocality(e: Extract<Expr, { kind: 'aggregate' }>): Locality {
  const inner = locality(e.expr);
  const param = e.param ? locality(e.param) : 'const';
  if (inner === 'const' && param === 'const') return 'const';
  if (inner !== 'local' || param !== 'const') return 'global';
  const keepsCluster = e.without ? !e.grouping.includes(CLUSTER_LABEL) : e.grouping.includes(CLUSTER_LABEL);
  if (!keepsCluster) return 'global';
  if (e.op === 'count_values' && e.param?.kind === 'string' && e.param.value === CLUSTER_LABEL) return 'global';
  return 'local';
}

function binaryLocality(e: Extract<Expr, { kind: 'binary' }>): Locality {
  const l = locality(e.lhs);
  const r = locality(e.rhs);
  if (l === 'const' && r === 'const') return 'const';
  if (l === 'global' || r === 'global') return 'global';
  // A constant side is fine when it is a scalar; a constant vector (vector(1)) has no cluster label to match.
  if (l === 'const') return typeOf(e.lhs) === 'scalar' ? 'local' : 'global';
  if (r === 'const') return typeOf(e.rhs) === 'scalar' ? 'local' : 'global';
  const m = e.matching;
  if (!m) return 'global';
  const matchesOnCluster = m.on ? m.labels.includes(CLUSTER_LABEL) : !m.labels.includes(CLUSTER_LABEL);
  return matchesOnCluster && !m.include.includes(CLUSTER_LABEL) ? 'local' : 'global';
}
