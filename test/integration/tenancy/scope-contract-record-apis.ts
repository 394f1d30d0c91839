import type { FullApp } from './full-app.ts';
import {
  get,
  many,
  one,
  sorted,
  type Answer,
  type ContractApi,
  type Headers,
  type Json,
} from './scope-contract-http.ts';
import { key, type Key } from './scope-contract-fixtures.ts';

/** Logs, events and audit: search, counts (histogram, stats) and export, each turned into keys. */
const RECORD_KINDS = ['logs', 'events', 'audit'] as const;
const docKeys = (json: Json) => (json.items as Json[]).map((d) => key(d.cluster as string, d.namespace as string));

const SEEDED_CLUSTERS = ['east', 'west'];
const SEEDED_NAMESPACES = ['payments', 'kube-system', 'default', 'shop'];
const times = (n: number, k: Key): Key[] => Array.from({ length: n }, () => k);

/**
 * A histogram says how many records it counted, not which: it is asked per cluster (`q=cluster:c`, which can
 * only narrow the scope) and per cluster and namespace, and lists that many keys; what a cluster's count holds
 * beyond its namespaces are records without a namespace.
 */
function countedByHistogram(kind: string) {
  return async (full: FullApp, headers: Headers): Promise<Answer> => {
    const keys: Key[] = [];
    const total = async (q: string): Promise<number | { status: number }> => {
      const r = await get(full, headers, `/v1/${kind}/histogram?interval=1h&q=${encodeURIComponent(q)}`);
      return r.status === 200 ? (r.json.total as number) : { status: r.status };
    };
    for (const c of SEEDED_CLUSTERS) {
      const all = await total(`cluster:${c}`);
      if (typeof all !== 'number') return { status: all.status, keys: [] };
      let rest = all;
      for (const n of SEEDED_NAMESPACES) {
        const t = (await total(`cluster:${c} AND namespace:${n}`)) as number;
        keys.push(...times(t, key(c, n)));
        rest -= t;
      }
      keys.push(...times(rest, key(c, undefined)));
    }
    return { status: 200, keys: sorted(keys) };
  };
}

/** Stats by namespace per cluster: each group's count of that key, `missing` those without a namespace. */
const countedByStats = (kind: string) =>
  many(
    SEEDED_CLUSTERS.map((c) => ({
      url: `/v1/${kind}/stats?by=namespace&size=100&q=${encodeURIComponent(`cluster:${c}`)}`,
      keysOf: (j: Json) => [
        ...(j.groups as Array<{ key: string; count: number }>).flatMap((g) => times(g.count, key(c, g.key))),
        ...times(j.missing as number, key(c, undefined)),
      ],
    })),
  );

export function recordApis(): ContractApi[] {
  return RECORD_KINDS.flatMap((kind) => [
    { name: `${kind} search`, read: one(`/v1/${kind}?size=100`, docKeys) },
    { name: `${kind} count (histogram)`, read: countedByHistogram(kind) },
    { name: `${kind} stats`, read: countedByStats(kind) },
    {
      name: `${kind} export`,
      read: one(`/v1/${kind}/export`, (_j, body) =>
        body
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => {
            const d = JSON.parse(l) as Json;
            return key(d.cluster as string, d.namespace as string);
          }),
      ),
    },
  ]);
}
