import { describe, expect, it } from 'vitest';
import type { PairingSpan } from '../store/spans/span-store.ts';
import { PairingWindow, UNREFRESHED_MS } from './span-pairing.ts';

const T = 'a'.repeat(32);
const client = (n: number, over: Partial<PairingSpan> = {}): PairingSpan => ({
  cluster: 'west',
  namespace: 'shop',
  traceId: T,
  spanId: `c${n}`.padStart(16, '0'),
  parentSpanId: '',
  serviceName: 'frontend',
  kind: 'SPAN_KIND_CLIENT',
  durationInNanos: 5_000_000,
  statusCode: 0,
  time: 1000,
  ...over,
});
const server = (n: number, over: Partial<PairingSpan> = {}): PairingSpan => ({
  ...client(n),
  cluster: 'east',
  namespace: 'pay',
  spanId: `s${n}`.padStart(16, '0'),
  parentSpanId: `c${n}`.padStart(16, '0'),
  serviceName: 'checkout',
  kind: 'SPAN_KIND_SERVER',
  durationInNanos: 3_000_000,
  ...over,
});

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('pairing window', () => {
  it('pairs a callee with its caller whichever comes first; a caller stays for more callees, a callee leaves once its edge is stored', () => {
    const w = new PairingWindow({ maxSpans: 100, maxAgeMs: 60_000 });
    expect(w.add([server(1)]).edges).toEqual([]);
    const { edges, lookup } = w.add([client(1)]);
    expect(edges).toEqual([
      {
        id: `${T}-${client(1).spanId}-${server(1).spanId}`,
        cluster: 'east',
        time: 1000,
        traceId: T,
        clientSpanId: client(1).spanId,
        serverSpanId: server(1).spanId,
        sourceCluster: 'west',
        sourceNamespace: 'shop',
        sourceService: 'frontend',
        targetCluster: 'east',
        targetNamespace: 'pay',
        targetService: 'checkout',
        type: 'request',
        failed: false,
        durationInNanos: 3_000_000,
      },
    ]);
    // A new window looks every caller up: callees stored before a restart are not held.
    expect(lookup).toEqual([client(1)]);
    expect(w.size).toBe(2);
    w.stored(edges);
    expect(w.size).toBe(1);
    // A retry of the call: a second server span under the same client, failing.
    const retry = w.add([server(1, { spanId: 'r1'.padStart(16, '0'), statusCode: 2 })]);
    expect(retry.edges.map((e) => [e.serverSpanId, e.failed])).toEqual([['r1'.padStart(16, '0'), true]]);
    expect(retry.lookup).toEqual([]);
  });

  it('pairs producer with consumer only, and no span with a partner of the wrong kind or another trace', () => {
    const w = new PairingWindow({ maxSpans: 100, maxAgeMs: 60_000 });
    const producer = client(2, { kind: 'SPAN_KIND_PRODUCER' });
    const consumer = server(2, { kind: 'SPAN_KIND_CONSUMER' });
    expect(w.add([producer, consumer]).edges.map((e) => e.type)).toEqual(['messaging']);
    const other = w.add([client(3), server(3, { kind: 'SPAN_KIND_CONSUMER' }), server(3, { traceId: 'b'.repeat(32) })]);
    expect(other.edges).toEqual([]);
    expect(other.lookup).toHaveLength(3);
    expect(w.add([client(4, { kind: 'SPAN_KIND_INTERNAL' })]).lookup).toEqual([]);
  });

  it('holds at most maxSpans, oldest first; a partner of an evicted span goes to the store lookup', () => {
    const c = clock();
    const w = new PairingWindow({ maxSpans: 2, maxAgeMs: 60_000 }, c.now);
    c.advance(UNREFRESHED_MS);
    expect(w.takeUnrefreshed()).toBe(false);
    w.add([server(1)]);
    w.add([server(2)]);
    c.advance(10);
    w.add([server(3)]);
    expect(w.size).toBe(2);
    // server 1 was evicted moments after it arrived: a lookup now may not see it written yet.
    expect(w.takeUnrefreshed()).toBe(true);
    expect(w.takeUnrefreshed()).toBe(false);
    const late = w.add([client(1)]);
    expect(late.edges).toEqual([]);
    expect(w.settle(late.lookup, [server(1)]).map((e) => e.serverSpanId)).toEqual([server(1).spanId]);
    // client 1 took server 2's place; server 3 is still held.
    expect(w.add([client(3)]).edges).toHaveLength(1);
    expect(w.add([client(2)]).edges).toEqual([]);
  });

  it('holds a span at most maxAgeMs; a redelivered span is held once, from its last arrival', () => {
    const c = clock();
    const w = new PairingWindow({ maxSpans: 100, maxAgeMs: 30_000 }, c.now);
    w.add([server(1), server(2)]);
    c.advance(20_000);
    w.add([server(2)]);
    expect(w.size).toBe(2);
    c.advance(10_000);
    w.takeUnrefreshed();
    const after = w.add([client(1), client(2)]);
    // server 1 went at 30 s (not recently arrived: no refresh needed); server 2 came again at 20 s.
    expect(after.edges.map((e) => e.serverSpanId)).toEqual([server(2).spanId]);
    expect(w.takeUnrefreshed()).toBe(false);
    // Its partner found in the store instead, and the callee that found its caller there stops waiting.
    expect(w.settle(after.lookup, [server(1)]).map((e) => e.serverSpanId)).toEqual([server(1).spanId]);
    const waiting = w.add([server(5)]);
    const found = w.settle(waiting.lookup, [client(5)]);
    expect(found).toHaveLength(1);
    w.stored(found);
    expect(w.add([client(5)]).edges).toEqual([]);
  });

  it('pairs a redelivered caller again when the batch that paired it was never stored (a rebalance aborted it)', () => {
    const c = clock();
    const w = new PairingWindow({ maxSpans: 100, maxAgeMs: 1000 }, c.now);
    c.advance(1000);
    w.add([server(1)]);
    // The caller's batch pairs, then is aborted before its write: the edge was never stored.
    expect(w.add([client(1)]).edges).toHaveLength(1);
    // Delivered again: the window is past its first maxAgeMs, so the caller is not looked up; memory must pair it.
    const again = w.add([client(1)]);
    expect(again.edges.map((e) => e.serverSpanId)).toEqual([server(1).spanId]);
    expect(again.lookup).toEqual([]);
    w.stored(again.edges);
    expect(w.add([client(1)]).edges).toEqual([]);
  });

  it('starts wanting a refresh: a new window (a restart, a rebalance) has not seen the last writes', () => {
    const c = clock();
    const w = new PairingWindow({ maxSpans: 10, maxAgeMs: 1000 }, c.now);
    expect(w.takeUnrefreshed()).toBe(true);
    expect(w.takeUnrefreshed()).toBe(false);
  });

  it('looks up a caller that paired in memory only while the window is new or after evicting one of its callees', () => {
    const c = clock();
    const w = new PairingWindow({ maxSpans: 3, maxAgeMs: 1000 }, c.now);
    c.advance(1000);
    expect(w.add([server(1), client(1)]).lookup).toEqual([]);
    // A caller with no callee held is looked up (its callee may be stored, or never come).
    expect(w.add([client(2)]).lookup).toEqual([client(2)]);
    // server 3a waits and is evicted unpaired; server 3b pairs in memory, but 3a is only in the store now.
    w.add([server(3, { spanId: 'a3'.padStart(16, '0') })]);
    w.add([server(4), server(5), server(6)]);
    const late = w.add([server(3), client(3)]);
    expect(late.edges).toHaveLength(1);
    expect(late.lookup).toEqual([client(3)]);
  });
});
