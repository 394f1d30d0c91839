import { FloatHistogram, IncompatibleHistogramsError } from '../histogram/float-histogram.ts';

/**
 * Native-histogram parts of the range functions over subqueries (promql/functions.go, v0.316.0). Counter
 * resets are detected from the data: Prometheus resets the counter-reset hints of subquery results to
 * "unknown" (evalSubquery), so it does the same there.
 */

/** histogramRate: last - first at the lowest schema seen, each counter reset adding back the value before it. */
export function histogramRate(points: FloatHistogram[], isCounter: boolean): FloatHistogram | undefined {
  let prev = points[0] as FloatHistogram;
  const last = points[points.length - 1] as FloatHistogram;
  if (isCounter && (points[1] as FloatHistogram).detectReset(prev)) {
    const second = points[1] as FloatHistogram;
    const empty = new FloatHistogram();
    empty.schema = second.schema;
    empty.schemaKnown = second.schemaKnown;
    empty.zeroThreshold = second.zeroThreshold;
    prev = empty;
  }
  if (last.usesCustomBuckets !== prev.usesCustomBuckets) return undefined;
  try {
    const h = last.copy();
    // CopyToSchema(min schema of the window): reduce before subtracting.
    const seen = [last, prev, ...(isCounter ? points.slice(1, -1) : [])]
      .filter((p) => p.schemaKnown)
      .map((p) => p.schema);
    const minSchema = Math.min(h.schema, ...seen);
    if (!h.usesCustomBuckets && minSchema < h.schema) {
      const pivot = new FloatHistogram();
      pivot.schema = minSchema;
      pivot.zeroThreshold = h.zeroThreshold;
      h.addScaled(pivot, 1);
    }
    h.addScaled(prev, -1);
    if (isCounter) {
      let before = prev;
      for (let i = 1; i < points.length; i++) {
        const curr = points[i] as FloatHistogram;
        if (curr.detectReset(before)) h.addScaled(before, 1);
        before = curr;
      }
    }
    return h.compact();
  } catch (err) {
    if (err instanceof IncompatibleHistogramsError) return undefined;
    throw err;
  }
}

/** irate / idelta over two histograms (instantValue): the difference, or the later one after a reset. */
export function instantHistogram(
  h0: FloatHistogram,
  h1: FloatHistogram,
  { isRate, seconds }: { isRate: boolean; seconds: number },
): FloatHistogram {
  const out = h1.copy();
  if (!isRate || !h1.detectReset(h0)) out.addScaled(h0, -1);
  out.compact();
  return isRate ? out.div(seconds) : out;
}

export function sumHistograms(hs: FloatHistogram[]): FloatHistogram {
  const sum = (hs[0] as FloatHistogram).copy();
  for (const h of hs.slice(1)) sum.addScaled(h, 1);
  return sum;
}
