// The differential harness: one query sent to Pharos's federation (over three cluster servers) and to a union
// server, answers compared. Three fleets (issue 16): the Prometheus 2.42 servers against the 2.42 union, the 3.16
// servers against the 3.16 union, and a mixed fleet (east 2.42, west and north 3.16). Kept free of vitest so it
// can run alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { PharosError } from '../../../libs/errors/errors.ts';
import { FederatedQuery } from '../../../libs/federation/federated-query.ts';
import type { FederatedResult } from '../../../libs/federation/federation.types.ts';
import { HttpClusterClient, type ClusterConfig } from '../../../libs/federation/prometheus.client.ts';
import {
  CLUSTER_NAMES,
  FIXTURE_START,
  PROMETHEUS3_PORTS,
  PROMETHEUS_PORTS,
  type ClusterName,
} from '../../fixtures/prometheus/generate.ts';
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

export type Fleet = '2.42' | '3' | 'mixed';

/** Which Prometheus each cluster of a fleet is: the 2.42 server or the 3.16 one holding the same cluster's data. */
const MEMBER_VERSION: Record<Fleet, Record<ClusterName, '2.42' | '3'>> = {
  '2.42': { east: '2.42', west: '2.42', north: '2.42' },
  '3': { east: '3', west: '3', north: '3' },
  mixed: { east: '2.42', west: '3', north: '3' },
};

const portOf = (version: '2.42' | '3', server: ClusterName | 'union'): number =>
  (version === '3' ? PROMETHEUS3_PORTS : PROMETHEUS_PORTS)[server];

/** Evaluation time and range window, inside the fixture's three hours (lookback and 1h ranges fit). */
export const EVAL_TIME = FIXTURE_START + 2 * 3600;
export const RANGE = { start: FIXTURE_START + 3600, end: FIXTURE_START + 3600 + 1800, step: 60 };

export function clusterConfigs(fleet: Fleet = '2.42'): ClusterConfig[] {
  return CLUSTER_NAMES.map((name) => ({
    name,
    prometheus: {
      url: `http://127.0.0.1:${portOf(MEMBER_VERSION[fleet][name], name)}`,
      replicas: [],
      replicaLabel: 'replica',
      timeoutMs: 30_000,
    },
  }));
}

export function makeFederation(fleet: Fleet = '2.42', federation: Record<string, unknown> = {}): FederatedQuery {
  const clusters = clusterConfigs(fleet);
  return new FederatedQuery({
    clusters,
    limits: federationConfigSchema.parse(federation),
    client: new HttpClusterClient(),
  });
}

export function complianceQueries(): DiffQuery[] {
  const file = path.resolve(repoRoot, '../shared/data/promql/compliance-promql-queries-expanded.jsonl');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { template_index: number; query: string; should_fail: boolean })
    .map((q) => ({ query: q.query, shouldFail: q.should_fail, source: `compliance#${q.template_index}` }));
}

type UnionAnswer = { ok: true; data: PromData; notes?: string[] } | { ok: false; status: number; error: string };

export async function union(
  version: '2.42' | '3',
  pathName: string,
  params: Record<string, string>,
): Promise<UnionAnswer> {
  const res = await fetch(`http://127.0.0.1:${portOf(version, 'union')}/api/v1/${pathName}`, {
    method: 'POST',
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as {
    status: string;
    data: PromData;
    error: string;
    warnings?: string[];
    infos?: string[];
  };
  return body.status === 'success'
    ? { ok: true, data: body.data, notes: notesOf(body.warnings, body.infos) }
    : { ok: false, status: res.status, error: body.error };
}

/** Annotation texts without their `(line:col)`: those of a leaf answered by a member point into the leaf's text. */
function notesOf(warnings: string[] = [], infos: string[] = []): string[] {
  return [
    ...new Set(
      [...warnings.map((w) => `warning ${w}`), ...infos.map((i) => `info ${i}`)].map((n) =>
        n.replace(/ \((?:\d+:\d+|unknown position)\)$/, ''),
      ),
    ),
  ].sort();
}

const isOrdered = (q: string): boolean => /\bsort(_desc|_by_label|_by_label_desc)?\s*\(/.test(q);

type Series = { metric: Record<string, string> };

/**
 * A mixed fleet's cluster-local answer: each cluster's series as a union server of that cluster's version has
 * them (the 2.42 union for east, the 3.16 union for west and north).
 */
function perMemberReference(u2: PromData, u3: PromData): PromData {
  if (u2.resultType !== 'vector' && u2.resultType !== 'matrix') return u3;
  const pick = (d: PromData, version: '2.42' | '3') =>
    (d.result as Series[]).filter((s) => MEMBER_VERSION.mixed[s.metric.cluster as ClusterName] === version);
  return { resultType: u3.resultType, result: [...pick(u2, '2.42'), ...pick(u3, '3')] };
}

async function pharos(
  fed: FederatedQuery,
  q: DiffQuery,
  kind: 'instant' | 'range',
): Promise<{ r?: FederatedResult; error?: PharosError }> {
  try {
    const r =
      kind === 'instant'
        ? await fed.instant({ query: q.query, time: EVAL_TIME })
        : await fed.range({ query: q.query, ...RANGE });
    if (Object.values(r.clusters).some((c) => c.status !== 'ok'))
      throw new Error(`a fixture cluster failed: ${JSON.stringify(r.clusters)}`);
    return { r };
  } catch (err) {
    if (!(err instanceof PharosError)) throw err;
    return { error: err };
  }
}

export async function runOne(
  fed: FederatedQuery,
  q: DiffQuery,
  { kind, fleet = '2.42' }: { kind: 'instant' | 'range'; fleet?: Fleet },
): Promise<DiffOutcome> {
  const params: Record<string, string> =
    kind === 'instant'
      ? { query: q.query, time: String(EVAL_TIME) }
      : { query: q.query, start: String(RANGE.start), end: String(RANGE.end), step: String(RANGE.step) };
  const api = kind === 'instant' ? 'query' : 'query_range';
  const [{ r, error }, u2, u3] = await Promise.all([
    pharos(fed, q, kind),
    fleet === '3' ? undefined : union('2.42', api, params),
    fleet === '2.42' ? undefined : union('3', api, params),
  ]);
  const base = { query: q.query, kind };
  // The reference: the union of the fleet's version; in a mixed fleet the one Pharos says it served, or each
  // member's own for a cluster-local answer.
  let expected: UnionAnswer;
  if (fleet !== 'mixed') expected = (fleet === '3' ? u3 : u2) as UnionAnswer;
  else if (!r) expected = (u3 as UnionAnswer).ok ? (u2 as UnionAnswer) : (u3 as UnionAnswer);
  else if (r.semantics?.perMember)
    expected = u2?.ok && u3?.ok ? { ok: true, data: perMemberReference(u2.data, u3.data) } : (u3 as UnionAnswer);
  else expected = (r.semantics?.promql.startsWith('2.') ? u2 : u3) as UnionAnswer;
  if (!expected.ok) {
    if (error && error.code !== 'PHAROS_ERR_INTERNAL')
      return { ...base, verdict: 'both-failed', detail: `${expected.error} | ${error.message}` };
    return { ...base, verdict: 'wrong', detail: `union failed (${expected.error}) but Pharos answered` };
  }
  // should_fail comes from the compliance suite, written for 2.x: Prometheus 3 takes some of those (UTF-8 label names).
  if (q.shouldFail && fleet === '2.42')
    return { ...base, verdict: 'wrong', detail: 'marked should_fail but the union answered' };
  if (error) {
    if (error.code === 'PHAROS_ERR_UNPROCESSABLE') return { ...base, verdict: 'refused', detail: error.message };
    return { ...base, verdict: 'wrong', detail: `Pharos failed: ${error.code} ${error.message}` };
  }
  // Answers computed from native histograms: the bar, 1e-9 relative; other floats 1e-6.
  const rel = /demo_nh_/.test(q.query) ? 1e-9 : 1e-6;
  const diff = diffResults(
    expected.data,
    { resultType: (r as FederatedResult).resultType, result: (r as FederatedResult).result },
    { ordered: isOrdered(q.query), rel },
  );
  if (diff) return { ...base, verdict: 'wrong', detail: diff };
  // Prometheus 3's annotations: the same texts as the union (mixed fleets add their own warning).
  const ours = notesOf((r as FederatedResult).warnings, (r as FederatedResult).infos);
  const theirs = expected.notes ?? [];
  if (fleet === '3' && JSON.stringify(ours) !== JSON.stringify(theirs))
    return {
      ...base,
      verdict: 'wrong',
      detail: `annotations ${JSON.stringify(ours)}, expected ${JSON.stringify(theirs)}`,
    };
  return { ...base, verdict: 'equal' };
}
