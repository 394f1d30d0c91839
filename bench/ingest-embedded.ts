import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/deploy/image-layout.ts';
import { configYaml, exited, INGEST_TOKEN, spawnService } from '../test/integration/ingest/pipeline.helpers.ts';
import { until } from '../test/support/until.ts';
import { benchLines } from './ingest-lines.ts';
import { procStats } from './proc-stats.ts';

/**
 * Ingest on the embedded default: Fluent Bit-shaped NDJSON → HTTP intake → bus → indexer → SQLite, in one
 * `services/main.ts all` process, until every record is searchable through the query API. One process per
 * bus, each serving the whole run (as in service): `sqlite` (the durable default, synchronous=FULL),
 * `memory` (the non-durable in-process bus, the baseline) and, with BENCH_BUSES, `sqlite-normal`
 * (synchronous=NORMAL). Rounds alternate the buses, so both see the same machine; prints records/s, CPU-s
 * of the process, and each durable bus's median ratio against memory. Run:
 * `BENCH_TARGET=embedded npm run bench -- ingest` (BENCH_RECORDS default 100000, BENCH_BATCH 500,
 * BENCH_CONCURRENCY 4, BENCH_ROUNDS 3, BENCH_BUSES default `memory,sqlite`).
 */
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUSES = (process.env.BENCH_BUSES ?? 'memory,sqlite')
  .split(',')
  .map((b) => b.trim())
  .filter(Boolean);
const batches = Math.ceil(RECORDS / BATCH);
const ADMIN = `${INGEST_TOKEN}-admin`;

const BUS_CONFIG: Record<string, Record<string, unknown>> = {
  memory: { type: 'memory' },
  sqlite: { type: 'sqlite' },
  'sqlite-normal': { type: 'sqlite', synchronous: 'normal' },
};

interface Instance {
  bus: string;
  port: number;
  child: ChildProcess;
}

async function startInstance(bus: string, dir: string): Promise<Instance> {
  const config = BUS_CONFIG[bus];
  if (!config) throw new Error(`unknown bus "${bus}" in BENCH_BUSES (${Object.keys(BUS_CONFIG).join(', ')})`);
  const port = await freePort();
  const data = join(dir, bus);
  const file = join(dir, `${bus}.yaml`);
  writeFileSync(
    file,
    configYaml({
      server: { host: '127.0.0.1', port },
      dataDir: data,
      log: { level: 'warn' },
      storage: { type: 'sqlite', path: join(data, 'pharos.db') },
      bus: config,
      auth: {
        tokens: [
          { name: 'ingest', token: INGEST_TOKEN, role: 'ingest' },
          { name: 'admin', token: ADMIN, role: 'admin' },
        ],
      },
    }),
  );
  const child = spawnService('all', file);
  await until(
    () =>
      fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    120_000,
    `${bus} instance up`,
  );
  return { bus, port, child };
}

async function searchable(i: Instance, cluster: string): Promise<number> {
  const res = await fetch(
    `http://127.0.0.1:${i.port}/v1/logs?cluster=${cluster}&start=1789990000&end=1790100000&size=1`,
    { headers: { authorization: `Bearer ${ADMIN}` } },
  );
  return res.ok ? ((await res.json()) as { total: number }).total : 0;
}

/** Posts every batch (CONCURRENCY in flight) under its own cluster; records/s until all are searchable. */
async function pass(i: Instance, cluster: string): Promise<{ rate: number; intake: number; cpu: number }> {
  const bodies = Array.from({ length: batches }, (_, b) =>
    benchLines(b, Math.min(BATCH, RECORDS - b * BATCH), BATCH)
      .map((l) => JSON.stringify(l))
      .join('\n'),
  );
  const cpu0 = procStats(i.child.pid).cpu;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let b = next++; b < batches; b = next++) {
        const res = await fetch(`http://127.0.0.1:${i.port}/v1/ingest/logs?cluster=${cluster}`, {
          method: 'POST',
          body: bodies[b],
          headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/x-ndjson' },
        });
        if (!res.ok) throw new Error(`${i.bus}: intake answered ${res.status}: ${await res.text()}`);
      }
    }),
  );
  const intake = (performance.now() - started) / 1000;
  await until(async () => (await searchable(i, cluster)) >= RECORDS, 600_000, `${i.bus}: all records searchable`);
  const seconds = (performance.now() - started) / 1000;
  return { rate: RECORDS / seconds, intake, cpu: procStats(i.child.pid).cpu - cpu0 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export async function embeddedIngestBench(): Promise<void> {
  console.log(
    `embedded ingest bench: ${RECORDS} log records, ${BATCH} per POST, ${CONCURRENCY} POSTs in flight; buses ${BUSES.join(', ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-embedded-'));
  const instances: Instance[] = [];
  try {
    for (const bus of BUSES) instances.push(await startInstance(bus, dir));
    // One untimed pass each: tsx and V8 compile the hot paths, SQLite's files and caches grow to size.
    for (const i of instances)
      console.log(`warm-up (not counted) ${i.bus}: ${(await pass(i, 'warm')).rate.toFixed(0)} records/s`);
    const rates = new Map<string, number[]>(BUSES.map((b) => [b, []]));
    const ratios = new Map<string, number[]>(BUSES.filter((b) => b !== 'memory').map((b) => [b, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      console.log(`\n[round ${round} of ${ROUNDS}]`);
      // Alternate which bus goes first, so neither always meets a machine the other just heated.
      const order = round % 2 ? instances : [...instances].reverse();
      const got = new Map<string, number>();
      for (const i of order) {
        const r = await pass(i, `round${round}`);
        got.set(i.bus, r.rate);
        rates.get(i.bus)!.push(r.rate);
        console.log(
          `${i.bus.padEnd(14)} ${r.rate.toFixed(0).padStart(7)} records/s until searchable (every POST answered after ${r.intake.toFixed(1)} s), ${r.cpu.toFixed(1)} CPU-s`,
        );
      }
      for (const [bus, list] of ratios) if (got.has('memory')) list.push(got.get(bus)! / got.get('memory')!);
    }
    console.log('\nsummary');
    for (const [bus, list] of rates)
      console.log(
        `  ${bus}: median ${median(list).toFixed(0)} records/s (rounds ${list.map((r) => r.toFixed(0)).join(', ')})`,
      );
    for (const [bus, list] of ratios)
      if (list.length)
        console.log(
          `  ratio ${bus} / memory: median ${median(list).toFixed(2)} (rounds ${list.map((r) => r.toFixed(2)).join(', ')})`,
        );
  } finally {
    for (const i of instances) i.child.kill('SIGTERM');
    await Promise.all(instances.map((i) => exited(i.child)));
    rmSync(dir, { recursive: true, force: true });
  }
}
