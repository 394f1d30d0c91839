import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/deploy/image-layout.ts';
import { configYaml, exited, spawnService } from '../test/integration/ingest/pipeline.helpers.ts';

/** The collector and indexer processes of a benchmark, as they run in service (their own event loops). */
export interface Pipeline {
  collectorPort: number;
  indexerPort: number;
  /** The indexer's, then the collector's. */
  children: ChildProcess[];
  /** For per-process CPU meters. */
  pids: { name: string; pid: number | undefined }[];
  close(): Promise<void>;
}

/**
 * One collector and one indexer (`tsx services/main.ts collector|indexer`) over the config `configOf` makes for
 * a fresh folder, each on a port of its own; `close` stops both and removes the folder.
 */
export async function startPipeline(configOf: (dir: string) => Record<string, unknown>): Promise<Pipeline> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-bench-'));
  const base = configOf(dir);
  const [collectorPort, indexerPort] = [await freePort(), await freePort()];
  const file = (name: string, port: number) => {
    const path = join(dir, `${name}.yaml`);
    writeFileSync(path, configYaml({ ...base, server: { host: '127.0.0.1', port } }));
    return path;
  };
  const children = [
    spawnService('indexer', file('indexer', indexerPort)),
    spawnService('collector', file('collector', collectorPort)),
  ];
  return {
    collectorPort,
    indexerPort,
    children,
    pids: [
      { name: 'indexer', pid: children[0]!.pid },
      { name: 'collector', pid: children[1]!.pid },
    ],
    close: async () => {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map(exited));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A service's /metrics text. */
export const metricsText = async (port: number): Promise<string> =>
  (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

/** From an indexer's /metrics text: its bulk writes of one kind so far, and the seconds inside them. */
export function bulkStats(metrics: string, kind: string): { bulks: number; seconds: number } {
  const value = (what: string) =>
    Number(
      new RegExp(`pharos_indexer_bulk_duration_seconds_${what}\\{[^}]*kind="${kind}"[^}]*\\} ([\\d.e+-]+)`).exec(
        metrics,
      )?.[1] ?? 0,
    );
  return { bulks: value('count'), seconds: value('sum') };
}
