// Four Prometheus servers holding fixed, backfilled data: one per fixture cluster (east, west, north) and a
// "union" server with every cluster's series labelled `cluster`, the reference that federated answers must match.
// No scrape targets, so the data never changes while they run; retention of 100 years keeps the 2026 blocks
// (retention counts from the newest block, not the clock).
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import {
  FIXTURE_SERVERS,
  PROMETHEUS_PORTS,
  fixtureDigest,
  generateServer,
  openMetricsChunks,
  type FixtureServer,
} from '../../test/fixtures/prometheus/generate.ts';
import { stopService, type Engine, type Log, type Service } from './engine.ts';
import { HOST, REPO_ROOT, stackPath } from './paths.ts';
import { httpOk, requireCommand, run } from './process.ts';

const CONFIG = `# Written by scripts/stack/prometheus.ts. No scrape targets: the data is backfilled fixture data.
global:
  scrape_interval: 15s
  evaluation_interval: 15s
scrape_configs: []
`;

const dirOf = (server: FixtureServer): string => stackPath('prometheus', server);

function serverService(server: FixtureServer): Service {
  const dir = dirOf(server);
  const port = PROMETHEUS_PORTS[server];
  return {
    id: `prometheus/${server}`,
    dir,
    logFile: path.join(dir, 'prometheus.log'),
    ports: [port],
    readyTimeoutMs: 60_000,
    stopGraceMs: 10_000,
    command: () => ({
      command: 'prometheus',
      args: [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=${HOST}:${port}`,
        '--storage.tsdb.retention.time=100y',
        '--web.enable-lifecycle',
        '--web.enable-admin-api',
      ],
    }),
    ready: (signal) => httpOk(`http://${HOST}:${port}/-/ready`, signal),
  };
}

const services = FIXTURE_SERVERS.map(serverService);

export async function writeOpenMetrics(server: FixtureServer, file: string): Promise<void> {
  const out = createWriteStream(file);
  for (const chunk of openMetricsChunks(generateServer(server))) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const FIXTURE_SOURCES = path.join(REPO_ROOT, 'test', 'fixtures', 'prometheus');

/** Hash of the generator's own code: the generator is pure, so the same code gives the same text. */
export async function sourcesDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await fs.readdir(FIXTURE_SOURCES)).filter((f) => f.endsWith('.ts')).sort()) {
    hash.update(file).update(await fs.readFile(path.join(FIXTURE_SOURCES, file)));
  }
  return hash.digest('hex');
}

export const readText = (file: string): Promise<string> =>
  fs.readFile(file, 'utf8').then(
    (t) => t.trim(),
    () => '',
  );

/**
 * Backfills a server's data from the fixture, unless the data on disk came from the same fixture text (its hash is
 * kept in .hash). Generating the text to hash it takes seconds, so when the generator's code has not changed
 * since (.sources) that step is skipped. Blocks added under a running server show up only after about a minute,
 * so the server is stopped first.
 */
async function backfill(
  { server, service }: { server: FixtureServer; service: Service },
  sources: string,
  log: Log,
): Promise<void> {
  const dir = dirOf(server);
  const hashFile = path.join(dir, '.hash');
  const sourcesFile = path.join(dir, '.sources');
  const current = await readText(hashFile);
  if (current !== '' && (await readText(sourcesFile)) === sources) return;
  const digest = fixtureDigest(server);
  if (current === digest) {
    await fs.writeFile(sourcesFile, `${sources}\n`);
    return;
  }
  await stopService(service, log);
  const startedAt = Date.now();
  const dataDir = path.join(dir, 'data');
  const openMetrics = path.join(dir, 'fixture.om');
  await fs.rm(dataDir, { recursive: true, force: true });
  await fs.rm(hashFile, { force: true });
  await fs.rm(sourcesFile, { force: true });
  await fs.mkdir(dir, { recursive: true });
  await writeOpenMetrics(server, openMetrics);
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', openMetrics, dataDir]);
  await fs.rm(openMetrics);
  await fs.writeFile(hashFile, `${digest}\n`);
  await fs.writeFile(sourcesFile, `${sources}\n`);
  log(`prometheus/${server}: backfilled fixture data (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
}

export const prometheus: Engine = {
  name: 'prometheus',
  services,
  async prepare(log) {
    requireCommand('prometheus', 'apt-get install prometheus');
    requireCommand('promtool', 'apt-get install prometheus');
    const sources = await sourcesDigest();
    // promtool runs as a child process, so the four backfills overlap (generation itself is quick).
    await Promise.all(
      FIXTURE_SERVERS.map(async (server, i) => {
        await fs.mkdir(dirOf(server), { recursive: true });
        await fs.writeFile(path.join(dirOf(server), 'prometheus.yml'), CONFIG);
        await backfill({ server, service: services[i] as Service }, sources, log);
      }),
    );
  },
};
