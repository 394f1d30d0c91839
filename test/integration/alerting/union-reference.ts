import type { FederatedResult, InstantQuery } from '../../../libs/federation/federation.types.ts';
import type { RuleSources } from '../../../services/alerting/engine/rule-query.ts';

/**
 * The reference side of the parity check: one Prometheus holding every cluster's series (with `cluster`), asked
 * directly over its HTTP API. Evaluating a rule through this and through Pharos's federation must agree.
 */
export function unionSources(url: string): RuleSources {
  const instant = async (q: InstantQuery, signal?: AbortSignal): Promise<FederatedResult> => {
    const params = new URLSearchParams({ query: q.query, time: String(q.time) });
    const res = await fetch(`${url}/api/v1/query?${params}`, { ...(signal ? { signal } : {}) });
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data: { resultType: FederatedResult['resultType']; result: unknown };
    };
    if (body.status !== 'success') throw new Error(`union Prometheus: ${body.error}`);
    return {
      resultType: body.data.resultType,
      result: body.data.result,
      warnings: [],
      clusters: { union: { status: 'ok' } },
    };
  };
  return {
    federation: async () => ({ instant, clusters: () => ['union'] }),
    records: async () => {
      throw new Error('no records on the union side');
    },
    clusters: () => ['union'],
  };
}
