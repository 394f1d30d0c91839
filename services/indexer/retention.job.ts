import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { PharosConfig } from '../../libs/config/config.schema.ts';
import { InputError } from '../../libs/errors/errors.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import { RECORD_KINDS, type RecordKind } from '../../libs/schemas/records.ts';
import type { RecordStore } from '../../libs/store/record-store.ts';

const DAY_MS = 86_400_000;

export interface RetentionRun {
  kind: RecordKind;
  /** Undefined: every cluster at the kind's default (no per-cluster override exists for this kind). */
  cluster?: string;
  before: string;
  deleted: number;
}

/**
 * Applies `retention.*` once: for each kind, records older than its days are deleted (whole daily indices
 * on OpenSearch, rows on SQLite). With a per-cluster override for a kind, that kind is handled cluster by
 * cluster (the clusters seen in the store plus the overridden ones), each with its own cut-off, so a
 * longer override is never cut short by the default. Other kinds and clusters are never touched.
 */
export async function applyRetention(opts: {
  store: RecordStore;
  retention: PharosConfig['retention'];
  now: number;
  signal?: AbortSignal;
}): Promise<RetentionRun[]> {
  const { store, retention, now, signal } = opts;
  const runs: RetentionRun[] = [];
  for (const kind of RECORD_KINDS) {
    const overrides = Object.entries(retention.clusters).filter(([, o]) => o[kind] !== undefined);
    const cutoff = (days: number) => new Date(now - days * DAY_MS);
    if (overrides.length === 0) {
      const before = cutoff(retention[kind]);
      runs.push({
        kind,
        before: before.toISOString(),
        deleted: await store.deleteOlderThan(kind, { before }, signal),
      });
      continue;
    }
    const seen = await store.stats(kind, { filters: {}, by: 'cluster', limit: 10_000 }, signal);
    const clusters = new Set([...seen.groups.map((g) => g.key), ...overrides.map(([c]) => c)]);
    for (const cluster of clusters) {
      const before = cutoff(retention.clusters[cluster]?.[kind] ?? retention[kind]);
      runs.push({
        kind,
        cluster,
        before: before.toISOString(),
        deleted: await store.deleteOlderThan(kind, { before, cluster }, signal),
      });
    }
  }
  return runs;
}

/** Runs applyRetention on `retention.schedule` (node-cron), one run at a time. */
export function scheduleRetention(opts: {
  store: () => Promise<RecordStore>;
  retention: PharosConfig['retention'];
  logger: Logger;
}): { stop(): Promise<void> } {
  if (!validate(opts.retention.schedule))
    throw new InputError(`retention.schedule: "${opts.retention.schedule}" is not a cron expression`);
  const log = opts.logger.child({ component: 'retention' });
  const controller = new AbortController();
  const task: ScheduledTask = schedule(
    opts.retention.schedule,
    async () => {
      try {
        const runs = await applyRetention({
          store: await opts.store(),
          retention: opts.retention,
          now: Date.now(),
          signal: controller.signal,
        });
        log.info({ runs }, 'retention applied');
      } catch (err) {
        log.error({ err }, 'retention run failed; the next scheduled run tries again');
      }
    },
    { name: 'pharos-retention', noOverlap: true },
  );
  return {
    async stop() {
      controller.abort();
      await task.stop();
    },
  };
}
