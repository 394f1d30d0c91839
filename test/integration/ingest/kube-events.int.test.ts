import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../../libs/bus/memory.bus.ts';
import { topicsFor } from '../../../libs/bus/topics.ts';
import type { EventDoc } from '../../../libs/schemas/records.ts';
import { ingestMetrics } from '../../../services/collector/ingest.metrics.ts';
import { createIngestService } from '../../../services/collector/ingest.service.ts';
import { kubeEventsApi } from '../../../services/collector/kube-events.api.ts';
import { fileCheckpoint } from '../../../services/collector/kube-events.checkpoint.ts';
import { KubeEventsWatcher } from '../../../services/collector/kube-events.watcher.ts';
import { FakeApiServer } from './fake-apiserver.ts';
import { until } from './pipeline.helpers.ts';

const TOKEN = 'it-token';

/** A kubeconfig for the fake server; client-node accepts an http:// server only with insecure-skip-tls-verify. */
function writeKubeconfig(file: string, server: string, token: string): string {
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\ncurrent-context: it\ncontexts: [{ name: it, context: { cluster: it, user: it } }]\nclusters: [{ name: it, cluster: { server: "${server}", insecure-skip-tls-verify: true } }]\nusers: [{ name: it, user: { token: ${token} } }]\n`,
  );
  return file;
}

describe('Kubernetes event watch (client-node) against an HTTP server speaking list/watch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-watch-'));
  const api = new FakeApiServer({ token: TOKEN });
  const bus = new MemoryBus();
  const topics = topicsFor({ type: 'memory' });
  const docs: EventDoc[] = [];
  const checkpoint = fileCheckpoint(join(dir, 'kube-events', 'it.checkpoint.json'));
  let kubeconfig = '';
  let server = '';
  beforeAll(async () => {
    server = await api.start();
    kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), server, TOKEN);
    await bus.subscribe({
      topic: topics.kind('events'),
      groupId: 'reader',
      handle: async (b) => void docs.push(...b.map((m) => JSON.parse(m.value) as EventDoc)),
    });
  });
  afterAll(async () => {
    await api.stop();
    await bus.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the watcher until `cond`, then stops it, as a collector restart would. */
  async function runUntil(cond: () => boolean): Promise<void> {
    const metrics = ingestMetrics(new Registry());
    const ingest = createIngestService({
      bus: async () => bus,
      topics,
      maxInFlight: 10_000,
      metrics,
      logger: pino({ level: 'silent' }),
    });
    const watcher = new KubeEventsWatcher({
      api: kubeEventsApi({ kubeconfig, inCluster: false }),
      ingest,
      metrics,
      checkpoint,
      cluster: 'it',
      logger: pino({ level: 'silent' }),
      pageSize: 2,
      retryDelayMs: 50,
    });
    const controller = new AbortController();
    const running = watcher.run(controller.signal);
    await until(cond, 30_000, 'watched events on the bus');
    controller.abort();
    await running;
  }
  const ids = () => new Set(docs.map((d) => d.id));

  it('lists, then watches ADDED and MODIFIED, keeping each occurrence of a repeated event', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) api.emit(n);
    const first = runUntil(() => ids().size >= 7);
    await until(() => ids().size >= 5, 30_000, 'listed events');
    expect(api.lists).toBeGreaterThanOrEqual(3); // paged: 5 items, 2 per page
    api.emit('a'); // count 2 of the same event object
    api.emit('f');
    await first;
    expect([...ids()].sort()).toEqual(['uid-a:1', 'uid-a:2', 'uid-b:1', 'uid-c:1', 'uid-d:1', 'uid-e:1', 'uid-f:1']);
    expect(docs.find((d) => d.id === 'uid-a:2')).toMatchObject({
      cluster: 'it',
      count: 2,
      name: 'pod-a',
      objectKind: 'Pod',
      reason: 'Pulled',
    });
  });

  it('resumes from the checkpoint after a restart without listing again', async () => {
    const lists = api.lists;
    api.emit('g');
    api.emit('b');
    await runUntil(() => ids().has('uid-g:1') && ids().has('uid-b:2'));
    expect(api.lists).toBe(lists);
    expect(checkpoint.load()).toBeDefined();
  });

  it('lists again after 410 Gone, storing nothing twice (same ids)', async () => {
    api.emit('h');
    api.compact(); // the checkpoint's resourceVersion is now older than what the server keeps
    const lists = api.lists;
    const before = docs.length;
    await runUntil(() => ids().has('uid-h:1') && api.lists > lists);
    expect(docs.length).toBeGreaterThan(before); // the re-list re-sends the current objects …
    expect(ids().size).toBe(10); // … under the same ids: a-h, plus a:2 and b:2
  });

  it('hands a watch refused with HTTP 410 to done with statusCode 410', async () => {
    api.compact({ asHttpStatus: true });
    const err = await new Promise<unknown>(
      (resolve) => void kubeEventsApi({ kubeconfig, inCluster: false }).watch('1', () => undefined, resolve),
    );
    api.compact(); // back to ERROR events for anything after this test
    expect(err).toMatchObject({ statusCode: 410 });
  });

  it('stops a watch on abort, before or after it has started, with one clean done', async () => {
    const events = kubeEventsApi({ kubeconfig, inCluster: false });
    for (const wait of [false, true]) {
      const seen: string[] = [];
      const ends: unknown[] = [];
      const { resourceVersion } = await events.list({ limit: 1 });
      const handle = await events.watch(
        resourceVersion,
        (type) => seen.push(type),
        (err) => ends.push(err ?? 'clean'),
      );
      if (wait) {
        api.emit('z');
        await until(() => seen.includes('ADDED') || seen.includes('MODIFIED'), 30_000, 'a watched event');
      }
      handle.abort();
      await new Promise((r) => setTimeout(r, 200)); // a late error from the aborted stream would show up here
      expect(ends).toEqual(['clean']);
    }
  });

  it('sends the kubeconfig credentials: a wrong token is refused by the server', async () => {
    const wrong = kubeEventsApi({ kubeconfig: writeKubeconfig(join(dir, 'wrong'), server, 'nope'), inCluster: false });
    await expect(wrong.list({ limit: 1 })).rejects.toMatchObject({ statusCode: 401 });
  });
});
