// The differential harness: one query sent to Pharos's federation (over the three cluster servers) and to the
// union server, answers compared. Shared by the integration test and kept free of vitest so it can run alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { PharosError } from '../../../libs/errors/errors.ts';
import { FederatedQuery } from '../../../services/query/federation/federated-query.service.ts';
import { HttpClusterClient, type ClusterConfig } from '../../../services/query/federation/prometheus.client.ts';
import { CLUSTER_NAMES, FIXTURE_START, PROMETHEUS_PORTS } from '../../fixtures/prometheus/generate.ts';
import { diffResults, type PromData } from './compare.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface DiffQuery {
  query: string;
  shouldFail?: boolean;
  /** Where the query came from: "compliance#<template>" or "trap". */
  source: string;
}

export type Verdict = 'equal' | 'both-failed' | 'refused' | 'wrong';

export interface DiffOutcome {
  query: string;
  kind: 'instant' | 'range';
  verdict: Verdict;
  detail?: string;
}

/** Evaluation time and range window, inside the fixture's three hours (lookback and 1h ranges fit). */
export const EVAL_TIME = FIXTURE_START + 2 * 3600;
export const RANGE = { start: FIXTURE_START + 3600, end: FIXTURE_START + 3600 + 1800, step: 60 };

export function clusterConfigs(): ClusterConfig[] {
  return CLUSTER_NAMES.map((name) => ({
    name,
    prometheus: { url: `http://127.0.0.1:${PROMETHEUS_PORTS[name]}`, replicas: [], replicaLabel: 'replica', timeoutMs: 30_000 },
  }));
}

export function makeFederation(clusters: ClusterConfig[] = clusterConfigs()): FederatedQuery {
  return new FederatedQuery({ clusters, limits: federationConfigSchema.parse({}), client: new HttpClusterClient() });
}

export function complianceQueries(): DiffQuery[] {
  const file = path.resolve(repoRoot, '../shared/data/promql/compliance-promql-queries-expanded.jsonl');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { template_index: number; query: string; should_fail: boolean })
    .map((q) => ({ query: q.query, shouldFail: q.should_fail, source: `compliance#${q.template_index}` }));
}

async function union(pathName: string, params: Record<string, string>): Promise<{ ok: true; data: PromData } | { ok: false; status: number; error: string }> {
  const res = await fetch(`http://127.0.0.1:${PROMETHEUS_PORTS.union}/api/v1/${pathName}`, { method: 'POST', body: new URLSearchParams(params) });
  const body = (await res.json()) as { status: string; data: PromData; error: string };
  return body.status === 'success' ? { ok: true, data: body.data } : { ok: false, status: res.status, error: body.error };
}

const isOrdered = (q: string): boolean => /\bsort(_desc)?\s*\(/.test(q);

export async function runOne(fed: FederatedQuery, q: DiffQuery, kind: 'instant' | 'range'): Promise<DiffOutcome> {
  const params: Record<string, string> = kind === 'instant' ? { query: q.query, time: String(EVAL_TIME) } : { query: q.query, start: String(RANGE.start), end: String(RANGE.end), step: String(RANGE.step) };
  const expected = await union(kind === 'instant' ? 'query' : 'query_range', params);
  let actual: PromData | undefined;
  let error: PharosError | undefined;
  try {
    const r = kind === 'instant' ? await fed.instant({ query: q.query, time: EVAL_TIME }) : await fed.range({ query: q.query, ...RANGE });
    if (Object.values(r.clusters).some((c) => c.status !== 'ok')) throw new Error(`a fixture cluster failed: ${JSON.stringify(r.clusters)}`);
    actual = { resultType: r.resultType, result: r.result };
  } catch (err) {
    if (!(err instanceof PharosError)) throw err;
    error = err;
  }
  const base = { query: q.query, kind };
  if (!expected.ok) {
    if (error && error.code !== 'PHAROS_ERR_INTERNAL') return { ...base, verdict: 'both-failed', detail: `${expected.error} | ${error.message}` };
    return { ...base, verdict: 'wrong', detail: `union failed (${expected.error}) but Pharos answered` };
  }
  if (q.shouldFail) return { ...base, verdict: 'wrong', detail: 'marked should_fail but the union answered' };
  if (error) {
    if (error.code === 'PHAROS_ERR_UNPROCESSABLE') return { ...base, verdict: 'refused', detail: error.message };
    return { ...base, verdict: 'wrong', detail: `Pharos failed: ${error.code} ${error.message}` };
  }
  const diff = diffResults(expected.data, actual as PromData, isOrdered(q.query));
  return diff ? { ...base, verdict: 'wrong', detail: diff } : { ...base, verdict: 'equal' };
}
