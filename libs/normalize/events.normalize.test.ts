import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventDocSchema } from '../schemas/records.ts';
import { eventKey, normalizeEvents } from './events.normalize.ts';

const data = resolve(import.meta.dirname, '../../../shared/data/k8s-events');
const ctx = { cluster: 'west', ingestedAt: 1_700_000_000_000 };

describe('normalizeEvents', () => {
  it('turns every real core/v1 event of the three samples into a valid doc', () => {
    const jsonl = readFileSync(resolve(data, 'openshift-must-gather-azure_core-v1-events_first1000.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as unknown);
    for (const body of [
      jsonl,
      JSON.parse(
        readFileSync(resolve(data, 'openshift-must-gather-aws_core-v1-events_diverse-sample.EventList.json'), 'utf8'),
      ),
      JSON.parse(readFileSync(resolve(data, 'kube-audit-rest_k3s_core-v1-events.json'), 'utf8')),
    ]) {
      const r = normalizeEvents(body, ctx)!;
      expect(r.rejected).toEqual([]);
      for (const d of r.docs) expect(eventDocSchema.safeParse(d).success).toBe(true);
      expect(new Set(r.docs.map((d) => d.id)).size).toBe(r.docs.length);
    }
    const first = normalizeEvents(jsonl.slice(0, 1), ctx)!.docs[0]!;
    expect(first).toMatchObject({
      id: '6624cecb-eaf1-4df8-afd7-d1c1cc317ea2:1',
      namespace: 'kube-system',
      objectKind: 'ConfigMap',
      name: 'kube-controller-manager',
      reason: 'LeaderElection',
      type: 'Normal',
      source: 'kube-controller-manager',
      count: 1,
      time: Date.UTC(2021, 8, 13, 14, 47, 12),
    });
    expect(eventKey(first)).toBe('942fb5cb-d1c1-4ae6-8017-539979d330bc');
  });

  it('keeps each occurrence of a repeated event (uid:count), and the series count for events.k8s.io/v1', () => {
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { uid: 'u1', namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'p' },
      lastTimestamp: '2024-01-01T00:00:00Z',
    };
    const r = normalizeEvents(
      [
        { ...ev, count: 1 },
        { ...ev, count: 2 },
      ],
      ctx,
    )!;
    expect(r.docs.map((d) => d.id)).toEqual(['u1:1', 'u1:2']);
    const modern = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { uid: 'u2', namespace: 'ns' },
      regarding: { kind: 'Pod', name: 'p' },
      note: 'hi',
      eventTime: '2024-01-01T00:00:00.000000Z',
      series: { count: 4, lastObservedTime: '2024-01-01T00:01:00.000000Z' },
    };
    expect(normalizeEvents(modern, ctx)!.docs[0]).toMatchObject({
      id: 'u2:4',
      message: 'hi',
      name: 'p',
      time: Date.UTC(2024, 0, 1, 0, 1),
    });
  });

  it('reports events with no identity or no time', () => {
    const r = normalizeEvents(
      {
        kind: 'EventList',
        items: [{ metadata: {}, lastTimestamp: '2024-01-01T00:00:00Z' }, { metadata: { uid: 'x' } }, 5],
      },
      ctx,
    )!;
    expect(r.docs).toEqual([]);
    expect(r.rejected.map((x) => x.index)).toEqual([0, 1, 2]);
  });
});
