// A range query whose end is not on its step grid: `@ end()` means the `end` parameter, not the last step
// (engine.go preprocesses the expression with the EvalStmt's End), both where Pharos evaluates the subquery and
// in the leaves it sends on the subquery's grid.
import { describe, expect, it } from 'vitest';
import { FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { diffResults } from './compare.ts';
import { makeFederation, union, type Fleet } from './differential.ts';

const RANGE = { start: FIXTURE_START + 3607.5, end: FIXTURE_START + 5400, step: 37 };
// (timestamps minus a constant: 30 s apart would be within the comparison's 1e-6 relative)
const QUERIES = [
  'rate(sum(container_cpu_usage_seconds_total)[10m:1m] @ end())',
  'last_over_time(timestamp(sum(demo_memory_usage_bytes))[1m:15s] @ end()) - 1767230000',
];

describe.each(['2.42', '3'] as Fleet[])('@ end() in a range query ending off its grid, fleet %s', (fleet) => {
  const fed = makeFederation(fleet);
  it.each(QUERIES)('%s equals the union', async (q) => {
    const u = await union(fleet === '3' ? '3' : '2.42', 'query_range', {
      query: q,
      start: String(RANGE.start),
      end: String(RANGE.end),
      step: String(RANGE.step),
    });
    if (!u.ok) throw new Error(u.error);
    const ours = await fed.range({ query: q, ...RANGE });
    expect(diffResults(u.data, ours, { ordered: false })).toBeUndefined();
  });
});
