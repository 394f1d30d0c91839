import { UnprocessableError } from '../../errors/errors.ts';
import type { FloatHistogram } from '../histogram/float-histogram.ts';
import { labelsKey, type Labels } from '../labels.ts';

/** One element of an instant vector: a float, or (Prometheus 3) a native histogram with `value` unused. */
export interface Sample {
  labels: Labels;
  value: number;
  histogram?: FloatHistogram;
}

/** What a node evaluates to at one step. */
export type StepValue =
  { type: 'scalar'; value: number } | { type: 'vector'; samples: Sample[] } | { type: 'string'; value: string };

export function asVector(v: StepValue): Sample[] {
  if (v.type !== 'vector') throw new UnprocessableError(`expected an instant vector, got ${v.type}`);
  return v.samples;
}

export function asScalar(v: StepValue): number {
  if (v.type !== 'scalar') throw new UnprocessableError(`expected a scalar, got ${v.type}`);
  return v.value;
}

export function asString(v: StepValue): string {
  if (v.type !== 'string') throw new UnprocessableError(`expected a string, got ${v.type}`);
  return v.value;
}

/** Prometheus refuses a step whose output holds one label set twice (rangeEval in engine.go). */
export function assertUniqueLabelsets(samples: Sample[]): void {
  if (samples.length < 2) return;
  const seen = new Set<string>();
  for (const s of samples) {
    const k = labelsKey(s.labels);
    if (seen.has(k)) throw new UnprocessableError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
}

/** Go's `<` on float64 in the heaps of engine.go: NaN counts as the smallest. */
export function lessNaNFirst(a: number, b: number): boolean {
  return Number.isNaN(a) || a < b;
}
export function greaterNaNFirst(a: number, b: number): boolean {
  return Number.isNaN(a) || a > b;
}
