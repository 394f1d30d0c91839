import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { stackPath } from '../scripts/stack/paths.ts';
import { livePid } from '../scripts/stack/process.ts';

/**
 * Where the ingest benchmark's processes may run. `shared`: everything on every core, as on a developer's
 * laptop. `separate`: OpenSearch alone on core 0 and everything else (this process, the collector and
 * indexer it spawns, Kafka) on the other cores: the shape of a real deployment, where collectors and
 * indexers never share a data node's CPUs. Both phases of a run get the same placement, so the raw `_bulk`
 * baseline and the pipeline give OpenSearch the same CPU. Linux only (taskset); elsewhere only `shared`.
 */
export type Placement = 'shared' | 'separate';

/** The pid of a running stack engine (`npm run stack`), checked to be that engine's process. */
export function stackPid(engine: string): number | undefined {
  return livePid(stackPath(engine));
}

export function canSeparate(): boolean {
  if (cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return stackPid('opensearch') !== undefined;
  } catch {
    return false;
  }
}

/** Sets every thread of a process (and, for this process, the children it spawns later) to `list`. */
function pin(pid: number | undefined, list: string): void {
  if (pid) execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
}

/** `services`: processes already running that go where this one goes (the benchmark's collector and indexer). */
export function place(placement: Placement, services: readonly (number | undefined)[] = []): void {
  const all = `0-${cpus().length - 1}`;
  const rest = `1-${cpus().length - 1}`;
  pin(stackPid('opensearch'), placement === 'separate' ? '0' : all);
  pin(stackPid('kafka'), placement === 'separate' ? rest : all);
  pin(process.pid, placement === 'separate' ? rest : all);
  for (const pid of services) pin(pid, placement === 'separate' ? rest : all);
}
