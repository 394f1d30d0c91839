import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { normalizeAudit } from '../../../libs/normalize/audit.normalize.ts';
import { normalizeEvents } from '../../../libs/normalize/events.normalize.ts';
import type { AuditDoc, EventDoc, LogDoc, RecordKind } from '../../../libs/schemas/records.ts';
import type { AnyDoc } from '../../../libs/store/record-store.ts';

/**
 * The contract data: real audit events and core/v1 Events from ../shared/data (normalized by the collector's
 * own normalizers, spread over three clusters) and generated log lines (seeded, so every run is identical).
 */
const DATA = resolve(import.meta.dirname, '../../../../shared/data');
export const CLUSTERS = ['east', 'west', 'north'] as const;
const INGESTED_AT = 1_700_000_000_000;

const readJsonl = (file: string): unknown[] =>
  readFileSync(resolve(DATA, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);
const readJson = (file: string): unknown => JSON.parse(readFileSync(resolve(DATA, file), 'utf8'));

/** Items dealt round-robin over the clusters, as if three collectors had sent them. */
function perCluster<T>(items: readonly unknown[], normalize: (items: unknown[], cluster: string) => T[]): T[] {
  return CLUSTERS.flatMap((cluster, c) =>
    normalize(
      items.filter((_, i) => i % CLUSTERS.length === c),
      cluster,
    ),
  );
}

export function auditFixtures(): AuditDoc[] {
  const items = [
    ...readJsonl('k8s-audit/openshift-clo_audit_in_openshift412_requestresponse.jsonl'),
    ...['kubernetes', 'openshift', 'oauth-apiserver'].map((n) =>
      readJson(`k8s-audit/openshift-clo_raw_audit_${n}.json`),
    ),
    ...readJsonl('k8s-audit/panther-analysis_k8s-rule-test-events.jsonl').map((r) => (r as { event: unknown }).event),
  ];
  return perCluster(items, (batch, cluster) => normalizeAudit(batch, { cluster, ingestedAt: INGESTED_AT })?.docs ?? []);
}

export function eventFixtures(): EventDoc[] {
  const items = [
    ...readJsonl('k8s-events/openshift-must-gather-azure_core-v1-events_first1000.jsonl'),
    ...(
      readJson('k8s-events/openshift-must-gather-aws_core-v1-events_diverse-sample.EventList.json') as {
        items: unknown[];
      }
    ).items,
    ...(readJson('k8s-events/kube-audit-rest_k3s_core-v1-events.json') as { items: unknown[] }).items,
  ];
  return perCluster(
    items,
    (batch, cluster) => normalizeEvents(batch, { cluster, ingestedAt: INGESTED_AT })?.docs ?? [],
  );
}

/** Deterministic PRNG (mulberry32) so generated logs are the same on every run and engine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MESSAGES = [
  'GET /api/v1/users 200 12ms',
  'ERROR connection refused to db-0:5432',
  'error: Connection Refused while dialing payments-db',
  'WARN timeout waiting for lock on orders',
  'Retrying request id=abc-123 after timeout',
  'Zürich Übergabe fertig für Auftrag 42',
  'user Alice logged in from 10.0.0.7',
  'panic: runtime error: index out of range [3] with length 3',
  'kube-system/coredns ready',
  'refused connection from kube-proxy',
  'ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ delivered',
  'health check ok',
];
const NAMESPACES = ['default', 'kube-system', 'monitoring', 'payments'];
const APPS = ['api', 'worker', 'db', 'proxy'];
export const LOG_WINDOW_START = Date.UTC(2024, 2, 1);

/** `count` log lines over about three days; a quarter share their timestamp with the previous line (sort ties). */
export function logFixtures(count = 3000, seed = 42, cluster?: string): LogDoc[] {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const docs: LogDoc[] = [];
  let time = LOG_WINDOW_START;
  for (let i = 0; i < count; i++) {
    if (rnd() > 0.25) time += Math.floor(rnd() * 170_000);
    const app = pick(APPS);
    const replica = Math.floor(rnd() * 3);
    docs.push({
      id: `log-${seed}-${String(i).padStart(7, '0')}`,
      kind: 'logs',
      cluster: cluster ?? pick(CLUSTERS),
      namespace: pick(NAMESPACES),
      time,
      ingestedAt: INGESTED_AT,
      message: pick(MESSAGES),
      pod: `${app}-${replica}`,
      container: app,
      node: `node-${Math.floor(rnd() * 4)}`,
      stream: rnd() > 0.8 ? 'stderr' : 'stdout',
      ...(rnd() > 0.5 ? { labels: { app } } : {}),
      // The OTLP/Loki/ES intakes' fields, from the index alone so the generated data above stays as it was.
      ...otlpFields(i, app),
    });
  }
  return docs;
}

function otlpFields(i: number, app: string): Partial<LogDoc> {
  const fields: Partial<LogDoc> = {};
  if (i % 3 === 0)
    fields.attributes = {
      'service.name': app,
      'k8s.deployment.name': `${app}-deploy`,
      ...(i % 2 === 0 ? { 'app.kubernetes.io/part-of': 'Shop' } : {}),
    };
  if (i % 4 === 0)
    Object.assign(fields, { severity: i % 8 === 0 ? 'ERROR' : 'Info', severityNumber: i % 8 === 0 ? 17 : 9 });
  if (i % 5 === 0)
    Object.assign(fields, { traceId: `${String(i % 50).padStart(32, '0')}`, spanId: `${String(i).padStart(16, '0')}` });
  return fields;
}

/** Some sample files repeat an auditID/stage: the stores keep the last write of an id, so the fixtures do too. */
function lastById<D extends AnyDoc>(docs: D[]): D[] {
  return [...new Map(docs.map((d) => [d.id, d])).values()];
}

export function allFixtures(): Record<RecordKind, AnyDoc[]> {
  return { logs: logFixtures(), events: lastById(eventFixtures()), audit: lastById(auditFixtures()) };
}
