/** Percentile by rank (nearest rank, no interpolation), as the other benchmarks print them. */
export const pct = (xs: readonly number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] as number;

/**
 * The median: the middle value, or the mean of the two middle values of an even count (nearest rank would take
 * the upper one: with six queries, the fourth best; with two rounds, the slower).
 */
export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

export const ms = (v: number): string => v.toFixed(v < 10 ? 1 : 0);

/**
 * Time of one call until its whole body has arrived. A non-2xx answer, or one with warnings (a cluster or store
 * left out: a partial answer is not the work being compared), fails the benchmark.
 */
export async function timed(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, init);
  const body = Buffer.from(await res.arrayBuffer());
  const elapsed = performance.now() - t0;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${body.toString('utf8', 0, 300)}`);
  const warned = /"warnings":\s*\[\s*"([^"]{0,200})/.exec(
    body.toString('latin1', Math.max(0, body.length - 4096)) + body.toString('latin1', 0, 4096),
  );
  if (warned) throw new Error(`${url}: partial answer (${warned[1]}); the machine is too loaded for this run`);
  return elapsed;
}
