import { STATUS_ERROR, type SpanDoc } from '../schemas/span-doc.ts';
import { spanEdgeId, type SpanEdgeDoc } from '../schemas/span-edge.ts';
import type { PairingSpan } from '../store/spans/span-store.ts';

/**
 * The ingest side of the service graph, the rule of Tempo's servicegraph processor and the Collector's
 * servicegraph connector: a server (consumer) span whose parent span is a client (producer) span of the same
 * trace is one call from the parent's service to its own, failed when either span has status ERROR. The spans
 * topic is keyed by a bucket of the trace id, so every span of a trace reaches one indexer, whichever cluster sent it; this
 * window holds the spans still waiting for a partner, bounded by count and age.
 */
export interface PairingBounds {
  /** Most spans held; past it the oldest go first. */
  maxSpans: number;
  /** A span is held at most this long after it arrived. */
  maxAgeMs: number;
}

/**
 * An eviction of a span that arrived less than this ago may leave its partner to a store lookup that cannot see
 * it yet: OpenSearch makes writes searchable at its refresh (1 s by default). The indexer refreshes first then.
 */
export const UNREFRESHED_MS = 2_000;

const CALLER: Readonly<Record<string, string>> = {
  SPAN_KIND_SERVER: 'SPAN_KIND_CLIENT',
  SPAN_KIND_CONSUMER: 'SPAN_KIND_PRODUCER',
};
const isCaller = (s: PairingSpan): boolean => s.kind === 'SPAN_KIND_CLIENT' || s.kind === 'SPAN_KIND_PRODUCER';
const isCallee = (s: PairingSpan): boolean => CALLER[s.kind] !== undefined && s.parentSpanId !== '';
const key = (traceId: string, spanId: string): string => `${traceId}:${spanId}`;

/** What the window holds of a stored span. */
export const pairingSpanOf = (s: SpanDoc): PairingSpan => ({
  cluster: s.cluster,
  traceId: s.traceId,
  spanId: s.spanId,
  parentSpanId: s.parentSpanId,
  serviceName: s.serviceName,
  kind: s.kind,
  durationInNanos: s.durationInNanos,
  statusCode: s.status.code,
  time: s.time,
  ...(s.namespace !== undefined ? { namespace: s.namespace } : {}),
});

/** The edge of `caller` → `callee`, when they are a pair. */
export function edgeOf(caller: PairingSpan, callee: PairingSpan): SpanEdgeDoc | undefined {
  if (CALLER[callee.kind] !== caller.kind || callee.parentSpanId !== caller.spanId) return undefined;
  if (callee.traceId !== caller.traceId) return undefined;
  return {
    id: spanEdgeId(callee.traceId, caller.spanId, callee.spanId),
    cluster: callee.cluster,
    time: callee.time,
    traceId: callee.traceId,
    clientSpanId: caller.spanId,
    serverSpanId: callee.spanId,
    sourceCluster: caller.cluster,
    ...(caller.namespace !== undefined ? { sourceNamespace: caller.namespace } : {}),
    sourceService: caller.serviceName,
    targetCluster: callee.cluster,
    ...(callee.namespace !== undefined ? { targetNamespace: callee.namespace } : {}),
    targetService: callee.serviceName,
    type: callee.kind === 'SPAN_KIND_CONSUMER' ? 'messaging' : 'request',
    failed: caller.statusCode === STATUS_ERROR || callee.statusCode === STATUS_ERROR,
    // A server span that ends before it starts (clock skew) is a call of no duration, not a negative one: an
    // HDR histogram (the OpenSearch topology's percentiles) refuses negative values.
    durationInNanos: Math.max(0, callee.durationInNanos),
  };
}

interface Held {
  span: PairingSpan;
  at: number;
}

/**
 * Spans waiting for partners. Callers (client, producer) stay until evicted, since one may have several callees
 * (retries, fan-out); a callee (server, consumer) leaves once its edge is stored (`stored`), not when it pairs:
 * a batch whose write never finished (a rebalance aborted it, the process stopped) is delivered again, and its
 * caller must find the callee here again — the store may not show it yet (OpenSearch's refresh), and after the
 * window's first maxAgeMs a caller that paired in memory is not looked up at all. A span of the same trace and
 * span id again (a redelivery) replaces the one held.
 */
export class PairingWindow {
  private readonly held = new Map<string, Held>();
  /** `traceId:parentSpanId` → the held callees waiting for that caller. */
  private readonly waiting = new Map<string, Set<string>>();
  private readonly now: () => number;
  /** When a span evicted while possibly not yet searchable had arrived; the window's start counts as one. */
  private unrefreshedAt: number;
  private readonly createdAt: number;
  /** `traceId:parentSpanId` of callees evicted unpaired (at most maxSpans, oldest dropped first). */
  private readonly evictedCallees = new Set<string>();

  constructor(
    private readonly bounds: PairingBounds,
    now: () => number = Date.now,
  ) {
    this.now = now;
    // A new window (a restart, a rebalance) has not seen what the previous owner wrote just before.
    this.createdAt = now();
    this.unrefreshedAt = this.createdAt;
  }

  get size(): number {
    return this.held.size;
  }

  /**
   * Takes a batch's spans: the edges they make with each other and with the spans held, and the spans to look
   * up in the store: callees still unpaired; callers that paired with none held, or whose callees this window
   * may not have seen (it is new, or evicted one of them unpaired).
   */
  add(spans: readonly PairingSpan[]): { edges: SpanEdgeDoc[]; lookup: PairingSpan[] } {
    const at = this.now();
    this.evict((h) => h.at <= at - this.bounds.maxAgeMs);
    const fresh = spans.filter((s) => isCaller(s) || isCallee(s));
    for (const s of fresh) this.hold(s, at);
    const edges = new Map<string, SpanEdgeDoc>();
    const lookup: PairingSpan[] = [];
    for (const s of fresh) {
      if (isCallee(s)) {
        const caller = this.held.get(key(s.traceId, s.parentSpanId))?.span;
        const edge = caller && edgeOf(caller, s);
        if (edge) edges.set(edge.id, edge);
        else lookup.push(s);
      } else
        for (const k of [...(this.waiting.get(key(s.traceId, s.spanId)) ?? [])]) {
          const edge = edgeOf(s, (this.held.get(k) as Held).span);
          if (edge) edges.set(edge.id, edge);
        }
    }
    const pairedCallers = new Set([...edges.values()].map((e) => key(e.traceId, e.clientSpanId)));
    // A caller that paired here may still have callees only the store has: stored before this window began
    // (it is younger than maxAgeMs: a restart, a rebalance), or evicted from it unpaired.
    const young = at - this.createdAt < this.bounds.maxAgeMs;
    for (const s of fresh) {
      if (!isCaller(s)) continue;
      const k = key(s.traceId, s.spanId);
      if (young || !pairedCallers.has(k) || this.evictedCallees.has(k)) lookup.push(s);
    }
    this.evict(() => this.held.size > this.bounds.maxSpans);
    return { edges: [...edges.values()], lookup };
  }

  /** The edges of looked-up spans with the partners the store had (their callees leave at `stored`). */
  settle(lookup: readonly PairingSpan[], found: readonly PairingSpan[]): SpanEdgeDoc[] {
    const byId = new Map(found.map((f) => [key(f.traceId, f.spanId), f]));
    const children = new Map<string, PairingSpan[]>();
    for (const f of found) {
      const k = key(f.traceId, f.parentSpanId);
      children.set(k, [...(children.get(k) ?? []), f]);
    }
    const edges = new Map<string, SpanEdgeDoc>();
    for (const s of lookup) {
      if (isCallee(s)) {
        const parent = byId.get(key(s.traceId, s.parentSpanId));
        const edge = parent && edgeOf(parent, s);
        if (edge) edges.set(edge.id, edge);
      } else
        for (const child of children.get(key(s.traceId, s.spanId)) ?? []) {
          const edge = edgeOf(s, child);
          if (edge) edges.set(edge.id, edge);
        }
    }
    return [...edges.values()];
  }

  /** The edges are in the store: their callees stop waiting (a redelivery of them pairs again, same ids). */
  stored(edges: readonly SpanEdgeDoc[]): void {
    for (const e of edges) this.drop(key(e.traceId, e.serverSpanId));
  }

  /** True when a lookup now could miss a partner written less than UNREFRESHED_MS ago; resets it. */
  takeUnrefreshed(): boolean {
    const recent = this.now() - this.unrefreshedAt < UNREFRESHED_MS;
    this.unrefreshedAt = -Infinity;
    return recent;
  }

  private rememberEvicted(parent: string): void {
    this.evictedCallees.delete(parent);
    this.evictedCallees.add(parent);
    if (this.evictedCallees.size > this.bounds.maxSpans)
      this.evictedCallees.delete(this.evictedCallees.values().next().value as string);
  }

  private hold(s: PairingSpan, at: number): void {
    const k = key(s.traceId, s.spanId);
    this.drop(k);
    this.held.set(k, { span: s, at });
    if (!isCallee(s)) return;
    const parent = key(s.traceId, s.parentSpanId);
    let set = this.waiting.get(parent);
    if (!set) this.waiting.set(parent, (set = new Set()));
    set.add(k);
  }

  private drop(k: string): void {
    const h = this.held.get(k);
    if (!h) return;
    this.held.delete(k);
    if (!isCallee(h.span)) return;
    const parent = key(h.span.traceId, h.span.parentSpanId);
    const set = this.waiting.get(parent);
    set?.delete(k);
    if (set?.size === 0) this.waiting.delete(parent);
  }

  /** Oldest first (a Map keeps insertion order, and a span held again is inserted again), while `over` holds. */
  private evict(over: (oldest: Held) => boolean): void {
    for (const [k, h] of this.held) {
      if (!over(h)) return;
      if (h.at > this.now() - UNREFRESHED_MS) this.unrefreshedAt = Math.max(this.unrefreshedAt, h.at);
      if (isCallee(h.span)) this.rememberEvicted(key(h.span.traceId, h.span.parentSpanId));
      this.drop(k);
    }
  }
}
