// Four Prometheus 3.16 servers beside the Debian 2.42 ones (issue 16): east, west, north and their union, on the same
// backfilled fixture (written with promtool 3.16, which normalizes `le` like a 3.x scrape does), plus native
// histograms (remote write: promtool cannot backfill them) and the series of the Prometheus 3 rule tests. Built
// from the Go module once per machine (go-binaries.ts); experimental PromQL functions on, as `auto` detects.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import {
  FIXTURE_SERVERS,
  PROMETHEUS3_PORTS,
  fixtureDigest,
  type FixtureServer,
} from '../../test/fixtures/prometheus/generate.ts';
import { nativeHistogramsFor } from '../../test/fixtures/prometheus/native-histograms.ts';
import { ruleTestOpenMetrics } from '../../test/fixtures/prometheus/rule-tests.ts';
import { stopService, type Engine, type Log, type Service } from './engine.ts';
import { ensureGoBinaries, PROMETHEUS3, binaryPath } from './go-binaries.ts';
import { HOST, stackPath } from './paths.ts';
import { httpOk, run, waitUntil } from './process.ts';
import { readText, sourcesDigest, writeOpenMetrics } from './prometheus.ts';
import { remoteWrite } from './remote-write.ts';

const CONFIG = `# Written by scripts/stack/prometheus3.ts. No scrape targets: backfilled and remote-written fixture data.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs: []
`;

const dirOf = (server: FixtureServer): string => stackPath('prometheus3', server);
const prometheusBin = (): string => binaryPath(PROMETHEUS3, 'cmd/prometheus');
const promtoolBin = (): string => binaryPath(PROMETHEUS3, 'cmd/promtool');

function serverArgs(dir: string, dataDir: string, port: number): string[] {
  return [
    `--config.file=${path.join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=${HOST}:${port}`,
    '--storage.tsdb.retention.time=100y',
    '--web.enable-lifecycle',
    '--web.enable-admin-api',
    '--web.enable-remote-write-receiver',
    '--enable-feature=promql-experimental-functions',
  ];
}

function serverService(server: FixtureServer): Service {
  const dir = dirOf(server);
  const port = PROMETHEUS3_PORTS[server];
  return {
    id: `prometheus3/${server}`,
    dir,
    logFile: path.join(dir, 'prometheus.log'),
    ports: [port],
    readyTimeoutMs: 60_000,
    stopGraceMs: 10_000,
    command: () => ({ command: prometheusBin(), args: serverArgs(dir, path.join(dir, 'data'), port) }),
    ready: (signal) => httpOk(`http://${HOST}:${port}/-/ready`, signal),
  };
}

const services = FIXTURE_SERVERS.map(serverService);

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, HOST, r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * The native histograms as a TSDB block: remote-written to a throwaway server on an empty folder, whose head is
 * then written out with the snapshot API (skip_head=false) and moved into the data folder. (Remote writes into
 * a server that already holds the backfilled blocks would be refused as older than them.)
 */
async function nativeHistogramBlock(server: FixtureServer, dir: string, dataDir: string): Promise<void> {
  const scratch = path.join(dir, 'scratch');
  await fs.rm(scratch, { recursive: true, force: true });
  await fs.mkdir(scratch, { recursive: true });
  const port = await freePort();
  const child = spawn(prometheusBin(), serverArgs(dir, scratch, port), { stdio: 'ignore' });
  try {
    await waitUntil((signal) => httpOk(`http://${HOST}:${port}/-/ready`, signal), {
      what: `prometheus3/${server} (scratch)`,
      timeoutMs: 60_000,
      ...(child.pid ? { pid: child.pid } : {}),
    });
    // In time order, all series together, half an hour per request: the head takes samples no older than an
    // hour before its newest one.
    const all = nativeHistogramsFor(server);
    const t0 = Math.min(...all.map((s) => s.samples[0]?.timestampMs ?? Infinity));
    const t1 = Math.max(...all.map((s) => s.samples[s.samples.length - 1]?.timestampMs ?? -Infinity));
    for (let from = t0; from <= t1; from += 30 * 60_000) {
      const slice = all.map((s) => ({
        ...s,
        samples: s.samples.filter((h) => h.timestampMs >= from && h.timestampMs < from + 30 * 60_000),
      }));
      await remoteWrite(
        `http://${HOST}:${port}/api/v1/write`,
        slice.filter((s) => s.samples.length > 0),
      );
    }
    const res = await fetch(`http://${HOST}:${port}/api/v1/admin/tsdb/snapshot?skip_head=false`, { method: 'POST' });
    const name = ((await res.json()) as { data?: { name?: string } }).data?.name;
    if (!res.ok || !name) throw new Error(`prometheus3/${server}: snapshot failed (HTTP ${res.status})`);
    const snapshot = path.join(scratch, 'snapshots', name);
    for (const block of await fs.readdir(snapshot))
      await fs.rename(path.join(snapshot, block), path.join(dataDir, block));
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
    await fs.rm(scratch, { recursive: true, force: true });
  }
}

/** Everything the data is made of: floats, native histograms, rule-test series. */
function dataDigest(server: FixtureServer): string {
  const hash = createHash('sha256').update(fixtureDigest(server));
  hash.update(JSON.stringify(nativeHistogramsFor(server), (_k, v: unknown) => (v instanceof Map ? [...v] : v)));
  hash.update(ruleTestOpenMetrics(server));
  return hash.digest('hex');
}

async function prepareServer(
  { server, service }: { server: FixtureServer; service: Service },
  sources: string,
  log: Log,
): Promise<void> {
  const dir = dirOf(server);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'prometheus.yml'), CONFIG);
  const hashFile = path.join(dir, '.hash');
  const sourcesFile = path.join(dir, '.sources');
  const current = await readText(hashFile);
  if (current !== '' && (await readText(sourcesFile)) === sources) return;
  const digest = dataDigest(server);
  if (current === digest) return void (await fs.writeFile(sourcesFile, `${sources}\n`));
  await stopService(service, log);
  const startedAt = Date.now();
  const dataDir = path.join(dir, 'data');
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(hashFile, { force: true });
  await fs.mkdir(dataDir, { recursive: true });
  await nativeHistogramBlock(server, dir, dataDir);
  const floats = path.join(dir, 'fixture.om');
  await writeOpenMetrics(server, floats);
  await run(promtoolBin(), ['tsdb', 'create-blocks-from', 'openmetrics', floats, dataDir]);
  await fs.rm(floats);
  const rules = path.join(dir, 'rule-tests.om');
  await fs.writeFile(rules, ruleTestOpenMetrics(server));
  await run(promtoolBin(), ['tsdb', 'create-blocks-from', 'openmetrics', rules, dataDir]);
  await fs.rm(rules);
  await fs.writeFile(hashFile, `${digest}\n`);
  await fs.writeFile(sourcesFile, `${sources}\n`);
  log(`prometheus3/${server}: fixture data written (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
}

export const prometheus3: Engine = {
  name: 'prometheus3',
  services,
  async prepare(log) {
    await ensureGoBinaries(PROMETHEUS3, log);
    const sources = await sourcesDigest();
    // One server at a time: each runs a throwaway Prometheus, and the machine has two cores.
    for (const [i, server] of FIXTURE_SERVERS.entries())
      await prepareServer({ server, service: services[i] as Service }, sources, log);
  },
};
