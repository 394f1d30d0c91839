import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalDeployment, type PharosService } from '../scripts/deploy/image-layout.ts';
import { REPO_ROOT } from '../scripts/deploy/kustomize.ts';
import { procStats } from './proc-stats.ts';

/**
 * Sizing figures for docs/deploy.md. A collector and an indexer start as the Kubernetes manifests start
 * them (LocalDeployment: image layout, rendered ConfigMaps), then take audit EventLists the way the
 * kube-apiserver's batch webhook sends them (400 events a request, 2 in flight, retried on 503) until
 * OpenSearch holds them all. Per phase it prints the rate the collector accepted, the end-to-end indexed
 * rate, CPU seconds per 1,000 events and the peak RSS of each process.
 * Phases: `Metadata` (bodies stripped) and `RequestResponse` (the real OpenShift sample as it is).
 * Needs Kafka and OpenSearch (npm run stack -- up). Run: npm run bench -- deploy-sizing
 * (BENCH_EVENTS: events per phase, default 20000).
 */

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const BATCH = 400; // --audit-webhook-batch-max-size default
const IN_FLIGHT = 2;
const SAMPLE = join(REPO_ROOT, '../shared/data/k8s-audit/openshift-clo_audit_in_openshift412_requestresponse.jsonl');

type AuditEvent = Record<string, unknown>;

function sample(): AuditEvent[] {
  if (!existsSync(SAMPLE)) throw new Error(`the audit sample is missing: ${SAMPLE}`);
  return readFileSync(SAMPLE, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as AuditEvent);
}

function events(base: AuditEvent[], phase: string, metadataOnly: boolean): AuditEvent[] {
  const now = new Date().toISOString();
  return Array.from({ length: EVENTS }, (_, i) => {
    const e: AuditEvent = {
      ...base[i % base.length]!,
      auditID: `${phase}-${i}`,
      requestReceivedTimestamp: now,
      stageTimestamp: now,
    };
    if (metadataOnly) {
      delete e.requestObject;
      delete e.responseObject;
      e.level = 'Metadata';
    }
    return e;
  });
}

async function post(d: LocalDeployment, batch: AuditEvent[]): Promise<number> {
  let retries = 0;
  for (;;) {
    const res = await fetch(d.url('collector', '/v1/ingest/audit'), {
      method: 'POST',
      headers: { authorization: `Bearer ${d.tokens['ingest-token']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', items: batch }),
    });
    if (res.ok) return retries;
    if (res.status !== 503) throw new Error(`collector answered ${res.status}: ${await res.text()}`);
    retries++;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function indexedCount(prefix: string): Promise<number> {
  const res = await fetch(
    `http://127.0.0.1:9200/${prefix}-audit-*/_count?ignore_unavailable=true&allow_no_indices=true`,
  );
  return ((await res.json()) as { count?: number }).count ?? 0;
}

/** Sends `items` through the deployment and measures it; `already` records of the run were indexed before. */
async function phase(
  d: LocalDeployment,
  { name, items, already }: { name: string; items: AuditEvent[]; already: number },
): Promise<void> {
  const pids = { collector: d.services.collector!.proc.child.pid!, indexer: d.services.indexer!.proc.child.pid! };
  const before = { collector: procStats(pids.collector), indexer: procStats(pids.indexer) };
  const peak = { collector: 0, indexer: 0 };
  const sampler = setInterval(() => {
    for (const s of ['collector', 'indexer'] as const) peak[s] = Math.max(peak[s], procStats(pids[s]).rssMb);
  }, 250);
  const bytes = items.reduce((n, e) => n + JSON.stringify(e).length, 0);
  const t0 = Date.now();
  let next = 0;
  let retries = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < items.length) {
        const start = next;
        next += BATCH;
        retries += await post(d, items.slice(start, start + BATCH));
      }
    }),
  );
  const accepted = Date.now() - t0;
  while ((await indexedCount(d.run)) < already + items.length) {
    if (Date.now() - t0 > 15 * 60_000) throw new Error('not all events indexed within 15 minutes');
    await new Promise((r) => setTimeout(r, 250));
  }
  const indexed = Date.now() - t0;
  clearInterval(sampler);
  const after = { collector: procStats(pids.collector), indexer: procStats(pids.indexer) };
  const perK = (s: 'collector' | 'indexer') => (((after[s].cpu - before[s].cpu) / items.length) * 1000).toFixed(2);
  console.log(
    `${name.padEnd(16)} ${items.length} events, ${(bytes / items.length / 1024).toFixed(1)} KB each: ` +
      `accepted ${Math.round(items.length / (accepted / 1000))}/s, indexed end to end ${Math.round(items.length / (indexed / 1000))}/s; ` +
      `CPU s per 1000 events: collector ${perK('collector')}, indexer ${perK('indexer')}; ` +
      `peak RSS: collector ${peak.collector.toFixed(0)} MB, indexer ${peak.indexer.toFixed(0)} MB; 503 retries ${retries}`,
  );
}

const base = sample();
const deployment = await LocalDeployment.prepare(`bench-deploy-${Date.now().toString(36)}`);
try {
  const services: PharosService[] = ['collector', 'indexer'];
  for (const s of services) {
    await deployment.start(s);
    await deployment.waitReady(s, 180_000);
  }
  const idle = {
    collector: procStats(deployment.services.collector!.proc.child.pid!),
    indexer: procStats(deployment.services.indexer!.proc.child.pid!),
  };
  console.log(
    `idle RSS: collector ${idle.collector.rssMb.toFixed(0)} MB, indexer ${idle.indexer.rssMb.toFixed(0)} MB (${EVENTS} events per phase, batches of ${BATCH})`,
  );
  await phase(deployment, { name: 'Metadata', items: events(base, `${deployment.run}-meta`, true), already: 0 });
  await phase(deployment, {
    name: 'RequestResponse',
    items: events(base, `${deployment.run}-rr`, false),
    already: EVENTS,
  });
  const codes = await deployment.stop();
  console.log(`stopped: ${JSON.stringify(codes)}`);
} finally {
  await deployment.dispose();
}
