// Native-histogram sums across clusters depend on the order Prometheus adds the series in (issue 16): the fixture's
// north histograms have a zero bucket of ±0.001, the others a tiny one and finer schemas, and a wider zero bucket is
// moved to the upper bound of a bucket populated at that moment, before the finer schema is reduced. At FIXTURE_START
// + 6110.5 s one Prometheus's own `sum(rate(h[5m]))` and `sum(sum by (cluster) (rate(h[5m])))` differ, so adding the
// clusters' partial sums would be wrong there: Pharos then asks for the series and adds them in the union's order.
import { describe, expect, it } from 'vitest';
import { PharosError } from '../../../libs/errors/errors.ts';
import { FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { diffResults, type PromData } from './compare.ts';
import { makeFederation, union } from './differential.ts';

const T = FIXTURE_START + 6110.5;
const SUM = 'sum(rate(demo_nh_request_duration_seconds[5m]))';

async function unionData(q: string, params: Record<string, string>): Promise<PromData> {
  const u = await union('3', 'start' in params ? 'query_range' : 'query', { query: q, ...params });
  if (!u.ok) throw new Error(`union failed: ${u.error}`);
  return u.data;
}

describe('native-histogram sums across clusters, where the order of addition matters', () => {
  const fed = makeFederation('3');

  it('the union itself gives another sum when the clusters are summed first (the trap is real)', async () => {
    const whole = await unionData(SUM, { time: String(T) });
    const partials = await unionData('sum(sum by (cluster) (rate(demo_nh_request_duration_seconds[5m])))', {
      time: String(T),
    });
    expect(diffResults(whole, partials, { ordered: false, rel: 1e-9 })).toBeDefined();
  });

  it.each([
    SUM,
    'histogram_quantile(0.9, sum(rate(demo_nh_request_duration_seconds[5m])))',
    'histogram_fraction(0, 0.1, sum(rate(demo_nh_request_duration_seconds[5m])))',
    'avg(rate(demo_nh_request_duration_seconds[5m]))',
  ])('%s equals the union, instant and range', async (q) => {
    const instant = await fed.instant({ query: q, time: T });
    expect(
      diffResults(await unionData(q, { time: String(T) }), instant, { ordered: false, rel: 1e-9 }),
    ).toBeUndefined();
    const range = { start: T - 16 * 37, end: T + 16 * 37, step: 37 }; // a step on T
    const ours = await fed.range({ query: q, ...range });
    expect(
      diffResults(
        await unionData(q, { start: String(range.start), end: String(range.end), step: String(range.step) }),
        ours,
        { ordered: false, rel: 1e-9 },
      ),
    ).toBeUndefined();
  });

  it('refuses with 422 a sum over computed series of native histograms, whose order Pharos does not know', async () => {
    const err = await fed
      .instant({ query: 'sum(sum by (cluster) (rate(demo_nh_request_duration_seconds[5m])))', time: T })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PharosError);
    expect((err as PharosError).code).toBe('PHAROS_ERR_UNPROCESSABLE');
    expect((err as PharosError).message).toContain('zero bucket and schema reconciliation depend on that order');
  });
});
