import { describe, expect, it } from 'vitest';
import type { RecordStore, RetentionCutoff } from '../../libs/store/record-store.ts';
import { applyRetention } from './retention.job.ts';

const DAY = 86_400_000;
const now = Date.UTC(2026, 0, 31);

function recordingStore(clustersSeen: string[]) {
  const calls: { kind: string; days: number; cluster?: string | undefined }[] = [];
  const store = {
    async deleteOlderThan(kind: string, { before, cluster }: RetentionCutoff) {
      calls.push({ kind, days: (now - before.getTime()) / DAY, cluster });
      return 0;
    },
    async stats() {
      return { total: 0, distinct: clustersSeen.length, groups: clustersSeen.map((key) => ({ key, count: 1 })) };
    },
  } as unknown as RecordStore;
  return { store, calls };
}

describe('applyRetention', () => {
  it("uses each kind's days, across all clusters when no override exists", async () => {
    const { store, calls } = recordingStore(['east']);
    await applyRetention({
      store,
      now,
      retention: { logs: 7, events: 30, audit: 90, spans: 7, clusters: {}, schedule: '* * * * *' },
    });
    expect(calls).toEqual([
      { kind: 'logs', days: 7, cluster: undefined },
      { kind: 'events', days: 30, cluster: undefined },
      { kind: 'audit', days: 90, cluster: undefined },
    ]);
  });

  it('goes cluster by cluster for a kind with an override, never cutting a longer override short', async () => {
    const { store, calls } = recordingStore(['east', 'west']);
    await applyRetention({
      store,
      now,
      retention: {
        logs: 7,
        events: 30,
        audit: 90,
        spans: 7,
        clusters: { west: { logs: 30 }, north: { logs: 3 } },
        schedule: '* * * * *',
      },
    });
    const logs = calls.filter((c) => c.kind === 'logs');
    expect(logs).toEqual(
      expect.arrayContaining([
        { kind: 'logs', days: 7, cluster: 'east' },
        { kind: 'logs', days: 30, cluster: 'west' },
        { kind: 'logs', days: 3, cluster: 'north' },
      ]),
    );
    expect(logs).toHaveLength(3);
    expect(calls.filter((c) => c.kind === 'events')).toEqual([{ kind: 'events', days: 30, cluster: undefined }]);
  });
});
