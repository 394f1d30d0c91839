import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gridFloor, gridOf, partIntervalMs, phaseOf, splitGrid } from './range-split.ts';

const HOUR = 3_600_000;

describe('gridOf', () => {
  it('moves end down to the last evaluation time and refuses what the engine refuses', () => {
    expect(gridOf({ start: 100, end: 250, step: 60 })).toEqual({
      startMs: 100_000,
      lastMs: 220_000,
      stepMs: 60_000,
      steps: 3,
    });
    expect(gridOf({ start: 100.5, end: 100.5, step: 0.25 })).toEqual({
      startMs: 100_500,
      lastMs: 100_500,
      stepMs: 250,
      steps: 1,
    });
    expect(gridOf({ start: 10, end: 5, step: 1 })).toBeUndefined();
    expect(gridOf({ start: 10, end: 20, step: 0 })).toBeUndefined();
    expect(gridOf({ start: Number.NaN, end: 20, step: 1 })).toBeUndefined();
  });

  it('phase is the grid offset from the epoch', () => {
    expect(phaseOf(gridOf({ start: 90, end: 200, step: 60 })!)).toBe(30_000);
    expect(phaseOf(gridOf({ start: 120, end: 200, step: 60 })!)).toBe(0);
  });
});

describe('splitGrid', () => {
  it('cuts at multiples of the interval and keeps every step once, in order', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 10 * 24 * 3600 }),
          fc.integer({ min: 1, max: 3 * 24 * 3600 }),
          fc.integer({ min: 1, max: 7200 }),
          fc.constantFrom(HOUR, 6 * HOUR, 24 * HOUR),
        ),
        ([start, len, step, interval]) => {
          const g = gridOf({ start, end: start + len, step })!;
          const parts = splitGrid(g, interval);
          const steps: number[] = [];
          for (const p of parts) {
            for (let t = p.startMs; t <= p.endMs; t += g.stepMs) steps.push(t);
            expect(Math.floor(p.startMs / interval)).toBe(p.bucket);
            expect(Math.floor(p.endMs / interval)).toBe(p.bucket);
          }
          expect(steps).toEqual(Array.from({ length: g.steps }, (_, i) => g.startMs + i * g.stepMs));
          expect(new Set(parts.map((p) => p.bucket)).size).toBe(parts.length);
        },
      ),
    );
  });

  it('a long step widens the interval to a whole multiple of it', () => {
    expect(partIntervalMs(60_000, 24 * HOUR)).toBe(24 * HOUR);
    expect(partIntervalMs(3 * HOUR, 24 * HOUR)).toBe(48 * HOUR);
    expect(partIntervalMs(5 * HOUR, 24 * HOUR) % (24 * HOUR)).toBe(0);
  });

  it('gridFloor finds the last grid time at or before a moment', () => {
    const g = gridOf({ start: 100, end: 1000, step: 60 })!;
    expect(gridFloor(g, 220_000)).toBe(220_000);
    expect(gridFloor(g, 279_999)).toBe(220_000);
    expect(gridFloor(g, 99_000)).toBe(40_000);
  });
});
