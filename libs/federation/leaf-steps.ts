import type { Grid } from '../promql/eval/subquery.ts';
import type { Labels } from '../promql/labels.ts';
import type { Sample } from '../promql/eval/values.ts';
import { histogramFromJson, type HistogramJson } from '../promql/histogram/histogram-json.ts';
import type { CompactSeries } from './compact-series.ts';

/**
 * A merged leaf as the evaluator reads it, one instant vector per step, built only when that step is asked
 * (`at`): the points stay in the series' compact arrays, and each step's points are found through an index
 * made once (for each step, which series and which point: 8 bytes a point), in the order the series are
 * sorted, a series' float point before its histogram. A range leaf's points sit on its grid; an instant leaf
 * has one step.
 */
export class CompactSteps {
  /** Step k's points are entries rowStart[k] … rowStart[k+1]-1 of `which` and `point`. */
  private readonly rowStart: Int32Array;
  private readonly which: Int32Array;
  /** A float point's index, or −1 − the index of a native histogram point. */
  private readonly point: Int32Array;
  /** Each series' labels and values, read in `at` without going through series objects of several shapes. */
  private readonly metrics: Labels[];
  private readonly values: Float64Array[];

  constructor(
    private readonly series: CompactSeries[],
    grid: Grid | undefined,
    steps: number,
  ) {
    const n = Math.max(steps, 0);
    this.metrics = series.map((s) => s.metric);
    this.values = series.map((s) => s.v);
    const counts = new Int32Array(n + 1);
    const count = (step: number) => {
      if (step >= 0 && step < n) counts[step + 1] = (counts[step + 1] as number) + 1;
    };
    for (const s of series) {
      const t = s.t;
      for (let p = 0; p < t.length; p++) count(stepAt(t[p] as number, grid));
      s.histograms?.forEach(([ht]) => count(stepAt(ht, grid)));
    }
    for (let k = 1; k <= n; k++) counts[k] = (counts[k] as number) + (counts[k - 1] as number);
    this.rowStart = counts;
    const total = counts[n] as number;
    const which = (this.which = new Int32Array(total));
    const point = (this.point = new Int32Array(total));
    const fill = counts.slice(0, n);
    const place = (step: number, si: number, p: number) => {
      if (step < 0 || step >= n) return;
      const e = fill[step] as number;
      fill[step] = e + 1;
      which[e] = si;
      point[e] = p;
    };
    for (let si = 0; si < series.length; si++) {
      const s = series[si] as CompactSeries;
      const t = s.t;
      for (let p = 0; p < t.length; p++) place(stepAt(t[p] as number, grid), si, p);
      s.histograms?.forEach(([ht], h) => place(stepAt(ht, grid), si, -1 - h));
    }
  }

  /** Step `index`'s instant vector (a new array: the evaluator may keep or sort what it is given). */
  at(index: number): Sample[] | undefined {
    if (index < 0 || index >= this.rowStart.length - 1) return undefined;
    const from = this.rowStart[index] as number;
    const to = this.rowStart[index + 1] as number;
    const out = new Array<Sample>(to - from);
    const { which, point, metrics, values } = this;
    for (let e = from; e < to; e++) {
      const si = which[e] as number;
      const p = point[e] as number;
      if (p >= 0) out[e - from] = { labels: metrics[si] as Labels, value: (values[si] as Float64Array)[p] as number };
      else {
        const s = this.series[si] as CompactSeries;
        const h = (s.histograms as [number, unknown][])[-1 - p] as [number, unknown];
        out[e - from] = { labels: s.metric, value: NaN, histogram: histogramFromJson(h[1] as HistogramJson) };
      }
    }
    return out;
  }
}

/** The grid step a point's time (seconds, as the member wrote it) is on; an instant leaf has one step. */
function stepAt(t: number, grid: Grid | undefined): number {
  return grid ? Math.round((Math.round(t * 1000) - grid.startMs) / grid.stepMs) : 0;
}
