// What every engine of the local stack provides, and the generic start/stop/status logic built on it.
// An engine (kafka, prometheus, …) owns one or more services; a service is one daemon with its own folder,
// pidfile, log and readiness probe.
import { HOST } from './paths.ts';
import { canConnect, livePid, spawnDaemon, stopDaemon, waitUntil } from './process.ts';

export type Log = (message: string) => void;

export interface Service {
  /** "kafka", "prometheus/east", … */
  readonly id: string;
  readonly dir: string;
  readonly logFile: string;
  /** Every port the daemon binds on 127.0.0.1; the first is the one clients use. */
  readonly ports: readonly number[];
  readonly readyTimeoutMs: number;
  /** How long `down` waits after SIGTERM before SIGKILL: Kafka and OpenSearch flush on a clean stop. */
  readonly stopGraceMs: number;
  /** The daemon's command line; called after the engine's prepare() has written its files. */
  command(): { command: string; args: string[]; env?: NodeJS.ProcessEnv };
  ready(signal: AbortSignal): Promise<boolean>;
}

export interface Engine {
  readonly name: string;
  readonly services: readonly Service[];
  /**
   * Installs and configures everything the services need. Idempotent and cached, so a second `up` is quick.
   * May stop a running service whose data must be rebuilt (Prometheus after the fixture changed).
   */
  prepare(log: Log): Promise<void>;
}

export async function startService(service: Service, log: Log): Promise<void> {
  const running = livePid(service.dir);
  const wait = { what: service.id, timeoutMs: service.readyTimeoutMs, logFile: service.logFile };
  if (running !== undefined) {
    await waitUntil((signal) => service.ready(signal), { ...wait, pid: running });
    log(`${service.id}: already running (pid ${running}) on ${HOST}:${service.ports[0]}`);
    return;
  }
  for (const port of service.ports) {
    if (await canConnect(port, AbortSignal.timeout(1000))) {
      throw new Error(
        `${service.id}: ${HOST}:${port} is taken by a process this stack did not start ` +
          `(no live pidfile in ${service.dir}); stop that process and retry`,
      );
    }
  }
  const startedAt = Date.now();
  const pid = await spawnDaemon({ id: service.id, dir: service.dir, logFile: service.logFile, ...service.command() });
  await waitUntil((signal) => service.ready(signal), { ...wait, pid });
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  log(`${service.id}: ready on ${HOST}:${service.ports[0]} (pid ${pid}, ${seconds} s)`);
}

export async function stopService(service: Service, log: Log): Promise<void> {
  if (await stopDaemon(service.dir, service.stopGraceMs)) log(`${service.id}: stopped`);
}

export interface ServiceStatus {
  id: string;
  port: number;
  pid: number | undefined;
  ready: boolean;
}

export async function serviceStatus(service: Service): Promise<ServiceStatus> {
  const pid = livePid(service.dir);
  const ready = pid !== undefined && (await service.ready(AbortSignal.timeout(5000)).catch(() => false));
  return { id: service.id, port: service.ports[0] as number, pid, ready };
}
