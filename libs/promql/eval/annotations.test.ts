import { describe, expect, it } from 'vitest';
import { PROMQL_3 } from '../parse-options.ts';
import { parsePromQL } from '../parser.ts';
import { planQuery } from '../planner.ts';
import { Annotations } from './annotations.ts';
import { evalInstant, evalRange } from './evaluator.ts';
import { EVAL_3 } from './semantics.ts';
import type { Sample } from './values.ts';

function notes(q: string, data: Sample[], range = false) {
  const plan = planQuery(parsePromQL(q, PROMQL_3), ['east', 'west']);
  const steps = range ? 2 : 1;
  const leaves = new Map(plan.leaves.map((l) => [l.id, Array.from({ length: steps }, () => data)]));
  const n = new Annotations();
  const env = { leaves, grids: new Map(), sem: EVAL_3, notes: n };
  if (range) evalRange(plan.root, env, { startMs: 0, endMs: 60_000, stepMs: 60_000, steps: 2 });
  else evalInstant(plan.root, env, 60_000);
  return n.render(q);
}

const x = (cluster: string, le: string, v: number): Sample => ({ labels: { cluster, le }, value: v });

describe("Prometheus 3's annotations of what Pharos evaluates", () => {
  it('warns about an invalid quantile at the position of its parameter', () => {
    expect(notes('quantile(\n  1.5, x)', [{ labels: { cluster: 'east' }, value: 1 }]).warnings).toEqual([
      'PromQL warning: quantile value should be between 0 and 1, got 1.5 (2:3)',
    ]);
  });

  it('warns that sort is void in a range query, once', () => {
    expect(notes('sort(sum by (cluster) (x))', [{ labels: { cluster: 'east' }, value: 1 }], true).warnings).toEqual([
      'PromQL warning: sort is ineffective for range queries since results are always ordered by labels (1:1)',
    ]);
  });

  it('tells when histogram_quantile forced the buckets to be monotonic', () => {
    const { infos } = notes('histogram_quantile(0.5, sum by (le) (x))', [
      x('east', '1', 5),
      x('east', '2', 4),
      x('east', '+Inf', 6),
    ]);
    expect(infos).toEqual([
      'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile), from buckets 2 to 2, with a max diff of 1, over 1 samples from 1970-01-01T00:01:00Z to 1970-01-01T00:01:00Z (1:25)',
    ]);
  });
});
