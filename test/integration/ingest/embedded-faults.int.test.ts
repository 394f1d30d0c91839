import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normalizeLogs } from '../../../libs/normalize/logs.normalize.ts';
import { freePort } from '../../../scripts/deploy/image-layout.ts';
import { configYaml, exited, INGEST_TOKEN, spawnService, until } from './pipeline.helpers.ts';

/**
 * Issue 15's first finding, on the embedded default (one `services/main.ts all` process, no bus or
 * storage type configured): 4 senders post Fluent Bit batches of 200 and count a batch as acknowledged
 * when it is answered 200, retrying it otherwise (as Fluent Bit and the API server do). Pharos is killed
 * with SIGKILL at three random points and stopped with SIGTERM once, and started again each time. In the
 * end the stored records are exactly the acknowledged ones: none lost, none twice.
 * FAULT_SEED=<n> repeats a run's fault points (printed with each run).
 */
const TOTAL = 24_000;
const BATCH = 200;
const SENDERS = 4;
const GRACE_MS = 20_000;
const CLUSTER = 'faults';
const ADMIN = `${INGEST_TOKEN}-admin`;
const BASE_TIME = Date.now() - 3_600_000;

/** Batch b's lines: distinct messages and times, 20 containers. */
function lines(b: number): Record<string, unknown>[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const n = b * BATCH + i;
    return {
      date: (BASE_TIME + n) / 1000,
      log: `order ${n} paid`,
      stream: 'stdout',
      kubernetes: { namespace_name: 'shop', pod_name: `cart-${n % 20}`, container_name: 'app', host: 'node-a' },
    };
  });
}

/** A small deterministic generator, so a seed repeats a run's fault points. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

describe('embedded default: kill -9 three times and SIGTERM once while 4 senders post', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-faults-'));
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(`stores exactly the ${TOTAL} acknowledged records, each once`, { timeout: 900_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const file = join(dir, 'pharos.yaml');
    writeFileSync(
      file,
      configYaml({
        server: { host: '127.0.0.1', port },
        dataDir: dir,
        log: { level: 'warn' },
        storage: { type: 'sqlite', path: join(dir, 'pharos.db') },
        collector: { cluster: CLUSTER },
        shutdown: { graceMs: GRACE_MS },
        auth: {
          tokens: [
            { name: 'ingest', token: INGEST_TOKEN, role: 'ingest' },
            { name: 'admin', token: ADMIN, role: 'admin' },
          ],
        },
      }),
    );
    const start = () => (child = spawnService('all', file));
    const range = `start=${Math.floor(BASE_TIME / 1000) - 60}&end=${Math.ceil((BASE_TIME + TOTAL) / 1000) + 60}`;
    const stored = async (): Promise<number> => {
      try {
        const res = await fetch(`${url}/v1/logs?cluster=${CLUSTER}&${range}&size=1`, {
          headers: { authorization: `Bearer ${ADMIN}` },
          signal: AbortSignal.timeout(5_000),
        });
        return res.ok ? ((await res.json()) as { total: number }).total : -1;
      } catch {
        return -1;
      }
    };

    const seed = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const rnd = random(seed);
    const plan = [
      ...['kill', 'kill', 'kill', 'term'].map((kind) => ({ kind, at: Math.floor((0.1 + 0.75 * rnd()) * TOTAL) })),
    ].sort((a, b) => a.at - b.at);
    console.info(`[faults] FAULT_SEED=${seed}: ${plan.map((p) => `${p.kind} at ${p.at}`).join(', ')}`);

    start();
    let acked = 0;
    let next = 0;
    const bodies = Array.from({ length: TOTAL / BATCH }, (_, b) =>
      lines(b)
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const send = async () => {
      for (let b = next++; b < bodies.length; b = next++) {
        for (;;) {
          const res = await fetch(`${url}/v1/ingest/logs`, {
            method: 'POST',
            body: bodies[b],
            signal: AbortSignal.timeout(30_000),
            headers: { authorization: `Bearer ${INGEST_TOKEN}`, 'content-type': 'application/x-ndjson' },
          }).catch(() => undefined);
          const body = res ? ((await res.json().catch(() => ({}))) as { accepted?: number }) : {};
          if (res?.status === 200 && body.accepted === BATCH) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        acked += BATCH;
      }
    };
    const senders = Promise.all(Array.from({ length: SENDERS }, send));

    const up = async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
    for (const fault of plan) {
      await until(
        () => acked >= fault.at,
        300_000,
        () => `${acked} acknowledged, waiting for ${fault.at}`,
      );
      // kill -9 lands wherever it lands, startup included; SIGTERM is meant for a running Pharos with work in hand.
      if (fault.kind === 'term') await until(up, 60_000, 'Pharos up before SIGTERM');
      const before = { acked, stored: await stored() };
      const victim = child!;
      const t0 = Date.now();
      victim.kill(fault.kind === 'kill' ? 'SIGKILL' : 'SIGTERM');
      await exited(victim);
      const ms = Date.now() - t0;
      console.info(
        `[faults] ${fault.kind} with ${before.acked} acknowledged, ${before.stored} searchable just before; exited after ${ms} ms (${victim.exitCode ?? victim.signalCode})`,
      );
      if (fault.kind === 'term') {
        expect(victim.exitCode).toBe(0);
        expect(ms).toBeLessThan(GRACE_MS);
      }
      start();
    }
    await senders;
    expect(acked).toBe(TOTAL);
    let last = 0;
    await until(
      async () => (last = await stored()) >= TOTAL,
      300_000,
      () => `stored ${last} of ${TOTAL}`,
    );
    // Give a redelivered batch time to land twice, if it could; then count again and look at every record.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await stored()).toBe(TOTAL);
    const res = await fetch(`${url}/v1/logs/export?format=ndjson&cluster=${CLUSTER}&${range}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    const exported = (await res.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { id: string }).id);
    expect(exported).toHaveLength(TOTAL);
    const expectedIds = new Set(
      bodies.flatMap((_, b) =>
        normalizeLogs(
          lines(b).map((value, index) => ({ index, value })),
          { cluster: CLUSTER, ingestedAt: 0 },
        ).docs.map((d) => d.id),
      ),
    );
    expect(new Set(exported)).toEqual(expectedIds);

    child!.kill('SIGTERM');
    await exited(child!);
    expect(child!.exitCode).toBe(0);
    child = undefined;
  });
});
