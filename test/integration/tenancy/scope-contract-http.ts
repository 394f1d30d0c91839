import type { FullApp } from './full-app.ts';
import { key, type Key } from './scope-contract-fixtures.ts';

/**
 * How the scope contract reads an API: as one caller, saying what the answer is about, as a sorted list of
 * keys (`cluster/namespace`, one per record, series, object…). APIs that only count are asked per cluster and
 * namespace, so their counts become keys too.
 */
export interface Answer {
  status: number;
  keys: Key[];
}

export interface ContractApi {
  name: string;
  read(full: FullApp, headers: Record<string, string>): Promise<Answer>;
}

export type Headers = Record<string, string>;
export type Json = Record<string, unknown>;

export async function get(
  full: FullApp,
  headers: Headers,
  url: string,
): Promise<{ status: number; json: Json; body: string }> {
  const res = await full.app.inject({ url, headers });
  let json: Json = {};
  try {
    json = res.json() as Json;
  } catch {
    // export answers ndjson
  }
  return { status: res.statusCode, json, body: res.body };
}

export const sorted = (keys: Key[]): Key[] => [...keys].sort();
export const labelsKey = (l: Record<string, string>): Key => key(l.cluster, l.namespace);

/** One GET, its answer turned into keys by `keysOf` (when 200). */
export const one =
  (url: string, keysOf: (json: Json, body: string) => Key[]) =>
  async (full: FullApp, headers: Headers): Promise<Answer> => {
    const r = await get(full, headers, url);
    return { status: r.status, keys: r.status === 200 ? sorted(keysOf(r.json, r.body)) : [] };
  };

/** Several GETs: the first status that is not 200 is the answer's, else the keys of all. */
export const many =
  (calls: ReadonlyArray<{ url: string; keysOf: (json: Json) => Key[] }>) =>
  async (full: FullApp, headers: Headers): Promise<Answer> => {
    const keys: Key[] = [];
    for (const c of calls) {
      const r = await get(full, headers, c.url);
      if (r.status === 404) continue;
      if (r.status !== 200) return { status: r.status, keys: [] };
      keys.push(...c.keysOf(r.json));
    }
    return { status: 200, keys: sorted(keys) };
  };
