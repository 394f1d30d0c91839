/**
 * kahansum.Inc of Prometheus 3 (util/kahansum): Kahan–Neumaier summation, the compensation reset when the
 * sum overflows. Returns [sum, compensation]; the result is sum + compensation.
 */
export function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) return [t, 0];
  if (Math.abs(sum) >= Math.abs(inc)) return [t, c + (sum - t + inc)];
  return [t, c + (inc - t + sum)];
}
