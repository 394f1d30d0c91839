/**
 * Timestamps as the sources write them, to epoch milliseconds. Kubernetes uses RFC 3339 (`metav1.Time`,
 * `MicroTime`); EKS/AKS exports and Fluent Bit also send `YYYY-MM-DD HH:MM:SS.fffffffff` (UTC, no zone) and
 * epoch seconds as a float; the Kubernetes client library gives Date objects. Anything else is undefined, so the caller can reject it with a reason.
 */
export function parseTime(value: unknown): number | undefined {
  // Typed Kubernetes clients (client-node's list calls) hand back Date objects.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? fromEpoch(value) : undefined;
  if (typeof value !== 'string' || value.length < 10) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return fromEpoch(Number(value));
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(value.trim());
  if (!m) return undefined;
  // Date.parse keeps milliseconds only; cut longer fractions (nanoseconds) to three digits first.
  const fraction = m[3] ? m[3].slice(0, 4) : '';
  const zone = m[4] ?? 'Z';
  const ms = Date.parse(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch seconds (Fluent Bit's `date`) or milliseconds, told apart by size. */
function fromEpoch(n: number): number {
  return Math.round(n < 1e11 ? n * 1000 : n);
}
