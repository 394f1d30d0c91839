/**
 * The step grid of a range query and its split into parts. Prometheus evaluates a range query at
 * start + k·step for every k with that time ≤ end (promql/engine.go, one evaluation per step, each on its own),
 * so a part that asks for a subset of those times gets exactly those points: splitting never changes an answer
 * as long as every part stays on the request's own grid.
 */
export interface RangeGrid {
  startMs: number;
  /** The last evaluation time: end moved down to the grid, which asks for the same points as `end`. */
  lastMs: number;
  stepMs: number;
  steps: number;
}

export interface Part {
  /** Which split interval the part lies in: floor(time / interval). */
  bucket: number;
  startMs: number;
  /** Last step of the part (inclusive). */
  endMs: number;
}

/** Times in ms as the engine reads them; undefined for a request the engine itself must refuse. */
export function gridOf(q: { start: number; end: number; step: number }): RangeGrid | undefined {
  if (![q.start, q.end, q.step].every(Number.isFinite) || q.end < q.start || q.step <= 0) return undefined;
  const startMs = Math.round(q.start * 1000);
  const stepMs = Math.round(q.step * 1000);
  if (stepMs <= 0) return undefined;
  const steps = Math.floor((Math.round(q.end * 1000) - startMs) / stepMs) + 1;
  return { startMs, lastMs: startMs + (steps - 1) * stepMs, stepMs, steps };
}

/** The grid's offset from the epoch: requests with the same step and phase evaluate at the same times. */
export const phaseOf = (g: RangeGrid): number => ((g.startMs % g.stepMs) + g.stepMs) % g.stepMs;

/** Fewest steps a part should hold: a long step would otherwise make a part (and a cache entry) per step. */
const MIN_STEPS_PER_PART = 10;

/** The split interval for a step: a whole multiple of the configured one, so parts stay aligned to it. */
export function partIntervalMs(stepMs: number, splitIntervalMs: number): number {
  return splitIntervalMs * Math.max(1, Math.ceil((stepMs * MIN_STEPS_PER_PART) / splitIntervalMs));
}

/** The grid's steps grouped by the interval (UTC multiples of it) they fall in, in time order. */
export function splitGrid(g: RangeGrid, intervalMs: number): Part[] {
  const parts: Part[] = [];
  let t = g.startMs;
  while (t <= g.lastMs) {
    const bucket = Math.floor(t / intervalMs);
    const bucketEnd = (bucket + 1) * intervalMs - 1;
    const endMs = Math.min(g.lastMs, t + Math.floor((bucketEnd - t) / g.stepMs) * g.stepMs);
    parts.push({ bucket, startMs: t, endMs });
    t = endMs + g.stepMs;
  }
  return parts;
}

/** The last grid time at or before `ms` (may be before the grid's start). */
export function gridFloor(g: RangeGrid, ms: number): number {
  return g.startMs + Math.floor((ms - g.startMs) / g.stepMs) * g.stepMs;
}
