// Differential suite (issue 5): every compliance query (adapted names: the fixture uses the suite's demo_* names)
// and every cross-cluster trap goes to Pharos's federation over the east/west/north servers and straight to the
// union server. Each must be equal (same series, values within 1e-6 relative), fail on both, or be refused with
// 422; none may be wrong. The counts are printed for docs/federation.md.
import { describe, expect, it } from 'vitest';
import { complianceQueries, makeFederation, runOne, type DiffOutcome } from './differential.ts';
import { TRAPS } from './traps.ts';

describe('federated PromQL against the union Prometheus', () => {
  const fed = makeFederation();
  const queries = [...complianceQueries(), ...TRAPS];

  it.each(['instant', 'range'] as const)('%s queries: none wrong', async (kind) => {
    const outcomes: DiffOutcome[] = [];
    // A few at a time: the four servers share two cores with the rest of the suite.
    for (let i = 0; i < queries.length; i += 4) {
      outcomes.push(...(await Promise.all(queries.slice(i, i + 4).map((q) => runOne(fed, q, kind)))));
    }
    const count = (v: DiffOutcome['verdict']) => outcomes.filter((o) => o.verdict === v).length;
    const refused = outcomes.filter((o) => o.verdict === 'refused').map((o) => o.query);
    console.log(`[federation differential ${kind}] ${queries.length} queries: equal ${count('equal')}, failed on both ${count('both-failed')}, refused (422) ${count('refused')}, wrong ${count('wrong')}; refused: ${JSON.stringify(refused)}`);
    expect(outcomes.filter((o) => o.verdict === 'wrong')).toEqual([]);
    // Every should_fail query fails on both sides, and the bulk of the suite is answered, not refused.
    expect(count('equal')).toBeGreaterThan(queries.length * 0.85);
    expect(count('refused')).toBeLessThan(10);
  });
});
