// `npm run stack -- up|down|status [engine...]`: the real engines Pharos's integration tests and local runs use,
// started on 127.0.0.1 without Docker, state under .stack/. Importable too: vitest's globalSetup calls
// ensureStack(), fault tests call stopEngine()/startEngine().
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { alertmanager } from './alertmanager.ts';
import { serviceStatus, startService, stopService, type Engine, type Log } from './engine.ts';
import { kafka } from './kafka.ts';
import { withStackLock } from './lock.ts';
import { memcached } from './memcached.ts';
import { nodeExporter } from './node-exporter.ts';
import { opensearch } from './opensearch.ts';
import { HOST } from './paths.ts';
import { prometheus } from './prometheus.ts';
import { prometheus3 } from './prometheus3.ts';

// Start order: the light daemons first, then one JVM at a time (two JVMs starting together on a 2-core machine
// each take longer than both in turn). `down` goes in reverse.
const ENGINES = {
  prometheus,
  prometheus3,
  'node-exporter': nodeExporter,
  alertmanager,
  memcached,
  kafka,
  opensearch,
} as const;
export type EngineName = keyof typeof ENGINES;
export const ENGINE_NAMES = Object.keys(ENGINES) as EngineName[];

const defaultLog: Log = (message) => console.log(`[stack] ${message}`);

function select(names: readonly string[]): Engine[] {
  const unknown = names.filter((name) => !(name in ENGINES));
  if (unknown.length > 0) throw new Error(`unknown engine ${unknown.join(', ')}; known: ${ENGINE_NAMES.join(', ')}`);
  const wanted = names.length === 0 ? ENGINE_NAMES : names;
  return ENGINE_NAMES.filter((name) => wanted.includes(name)).map((name) => ENGINES[name]);
}

/**
 * Installs, configures and starts the engines (all by default) that are not running; waits until each is ready.
 * The installs run side by side (Maven downloads overlap the Prometheus backfill); the starts run one at a time.
 */
export async function ensureStack(engines: readonly string[] = [], log: Log = defaultLog): Promise<void> {
  const selected = select(engines);
  await withStackLock(async () => {
    const prepared = await Promise.allSettled(selected.map((engine) => engine.prepare(log)));
    const failures = prepared.flatMap((p, i) =>
      p.status === 'rejected' ? [`${selected[i]?.name}: ${errorText(p.reason)}`] : [],
    );
    if (failures.length > 0) throw new Error(`could not prepare the stack:\n${failures.join('\n')}`);
    for (const engine of selected) {
      for (const service of engine.services) await startService(service, log);
    }
  });
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export async function stopStack(engines: readonly string[] = [], log: Log = defaultLog): Promise<void> {
  await withStackLock(async () => {
    for (const engine of select(engines).reverse()) {
      for (const service of engine.services) await stopService(service, log);
    }
  });
}

export const startEngine = (name: EngineName, log: Log = defaultLog): Promise<void> => ensureStack([name], log);
export const stopEngine = (name: EngineName, log: Log = defaultLog): Promise<void> => stopStack([name], log);

export interface EngineStatus {
  engine: string;
  ready: boolean;
  line: string;
}

export async function stackStatus(engines: readonly string[] = []): Promise<EngineStatus[]> {
  return Promise.all(
    select(engines).map(async (engine) => {
      const statuses = await Promise.all(engine.services.map(serviceStatus));
      const ready = statuses.every((s) => s.ready);
      const state = ready ? 'ready' : statuses.some((s) => s.pid !== undefined) ? 'degraded' : 'stopped';
      const detail = statuses
        .map((s) => {
          const where = statuses.length > 1 ? `${s.id.split('/').pop()}=${HOST}:${s.port}` : `${HOST}:${s.port}`;
          const pid = s.pid === undefined ? '' : ` pid ${s.pid}`;
          return `${where}${pid}${s.pid !== undefined && !s.ready ? ' (not ready)' : ''}`;
        })
        .join('  ');
      return { engine: engine.name, ready, line: `${engine.name.padEnd(14)} ${state.padEnd(9)} ${detail}` };
    }),
  );
}

const USAGE = `usage: npm run stack -- up|down|status [${ENGINE_NAMES.join('|')} ...]
  up      install (first time), start and wait until ready; a running engine is left as it is
  down    stop (SIGTERM, then SIGKILL after a grace period)
  status  one line per engine; exits 3 when a selected engine is not ready`;

async function main(argv: string[]): Promise<number> {
  const [command, ...engines] = argv;
  const startedAt = Date.now();
  switch (command) {
    case 'up':
      await ensureStack(engines);
      defaultLog(`up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
      return 0;
    case 'down':
      await stopStack(engines);
      return 0;
    case 'status': {
      const statuses = await stackStatus(engines);
      for (const status of statuses) console.log(status.line);
      return statuses.every((s) => s.ready) ? 0 : 3;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`[stack] ${errorText(err)}`);
      process.exit(1);
    },
  );
}
