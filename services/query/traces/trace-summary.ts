import type { SpanDoc } from '../../../libs/schemas/span-doc.ts';
import type { TraceMatch } from '../../../libs/store/spans/span-store.ts';

/** One trace of a Tempo search answer (tempopb.TraceSearchMetadata's JSON). */
export interface TraceSummary {
  traceID: string;
  rootServiceName: string;
  rootTraceName: string;
  startTimeUnixNano: string;
  durationMs: number;
  spanSet: { spans: { spanID: string; startTimeUnixNano: string; durationNanos: string }[]; matched: number };
}

export function groupByTrace(spans: readonly SpanDoc[]): Map<string, SpanDoc[]> {
  const byTrace = new Map<string, SpanDoc[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId);
    if (list) list.push(s);
    else byTrace.set(s.traceId, [s]);
  }
  return byTrace;
}

/** Tempo's test (pkg/model/trace MatchesProto): whole ms, both bounds inclusive, 0 meaning no bound. */
export function withinDuration(durationMs: number, p: { minDurationMs?: number; maxDurationMs?: number }): boolean {
  if (p.maxDurationMs && durationMs > p.maxDurationMs) return false;
  return !(p.minDurationMs && durationMs < p.minDurationMs);
}

/**
 * A trace's search summary as Tempo makes it: start and end over its spans, the duration in whole ms
 * (end ms minus start ms, each truncated, so an integer as Tempo's uint32), the root span's service and
 * name (the first span when the root is not in scope or not received). Undefined without spans.
 */
export function summarize(traceID: string, spans: readonly SpanDoc[]): Omit<TraceSummary, 'spanSet'> | undefined {
  let first = spans[0];
  if (!first) return undefined;
  let startNs = BigInt(first.startTimeUnixNano);
  let endNs = BigInt(first.endTimeUnixNano);
  for (const s of spans) {
    if (BigInt(s.startTimeUnixNano) < startNs) [startNs, first] = [BigInt(s.startTimeUnixNano), s];
    if (BigInt(s.endTimeUnixNano) > endNs) endNs = BigInt(s.endTimeUnixNano);
  }
  const root = spans.find((s) => s.parentSpanId === '') ?? first;
  return {
    traceID,
    rootServiceName: root.serviceName,
    rootTraceName: root.name,
    startTimeUnixNano: startNs.toString(),
    durationMs: Number(endNs / 1_000_000n - startNs / 1_000_000n),
  };
}

/** Tempo's spanSet of a trace: its newest matching spans and how many matched. */
export function spanSetOf(match: TraceMatch | undefined): TraceSummary['spanSet'] {
  return {
    spans: (match?.spans ?? []).map((s) => ({
      spanID: s.spanId,
      startTimeUnixNano: s.startTimeUnixNano,
      durationNanos: String(s.durationInNanos),
    })),
    matched: match?.matched ?? 0,
  };
}

/** Decimal nanosecond strings compared as numbers (no BigInt needed). */
export const compareNanos = (a: string, b: string): number =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
