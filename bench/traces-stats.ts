import { procStats } from './proc-stats.ts';
import { stackPid } from './cpu-placement.ts';

/**
 * Where a traces benchmark phase's work went (bench/traces.bench.ts): CPU-s of OpenSearch, Kafka, the collector
 * and indexer processes (`extra`) and this process (the client, and with BENCH_IN_PROCESS=1 the collector and
 * indexer it runs), and what OpenSearch did on
 * the phase's indices (`_stats`: docs indexed, refreshes, searches, merges). Comparing these between the raw
 * `_bulk` and Pharos shows what the pipeline makes OpenSearch do that a raw writer does not.
 */
export interface PhaseStats {
  cpu: Record<string, number>;
  opensearch: { indexed: number; refreshes: number; searches: number; mergesMs: number; indexMs: number };
}

export function cpuMeter(extra: { name: string; pid: number | undefined }[] = []): () => Record<string, number> {
  const procs = [...['opensearch', 'kafka'].map((name) => ({ name, pid: stackPid(name) })), ...extra];
  const before = procs.map((p) => procStats(p.pid).cpu);
  const self = process.cpuUsage();
  return () => {
    const mine = process.cpuUsage(self);
    const out: Record<string, number> = {};
    procs.forEach((p, i) => (out[p.name] = round(procStats(p.pid).cpu - (before[i] as number))));
    out['bench process'] = round((mine.user + mine.system) / 1e6);
    return out;
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

interface IndexStats {
  indexing: { index_total: number; index_time_in_millis: number };
  refresh: { total: number };
  search: { query_total: number };
  merges: { total_time_in_millis: number };
}

/** OpenSearch's totals over `indices` (a comma-separated list of patterns) at the end of a phase. */
export async function indexStats(indices: string): Promise<PhaseStats['opensearch']> {
  const res = await fetch(
    `http://127.0.0.1:9200/${indices}/_stats/indexing,refresh,search,merge?expand_wildcards=all&ignore_unavailable=true&allow_no_indices=true`,
  );
  const all = ((await res.json()) as { _all: { primaries: IndexStats } })._all.primaries;
  return {
    indexed: all.indexing.index_total,
    indexMs: all.indexing.index_time_in_millis,
    refreshes: all.refresh.total,
    searches: all.search.query_total,
    mergesMs: all.merges.total_time_in_millis,
  };
}
