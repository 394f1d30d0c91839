/** Percentile by rank (nearest rank, no interpolation), as the other benchmarks print them. */
export const pct = (xs: readonly number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

export const median = (xs: readonly number[]): number => pct(xs, 50);

export const ms = (v: number): string => v.toFixed(v < 10 ? 1 : 0);

/** Time of one call until its whole body has arrived; fails on a non-2xx answer. */
export async function timed(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${Buffer.from(body).toString('utf8', 0, 300)}`);
  return performance.now() - t0;
}
