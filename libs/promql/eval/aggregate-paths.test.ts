import { describe, expect, it } from 'vitest';
import type { AggregateOp } from '../ast.ts';
import { FloatHistogram } from '../histogram/float-histogram.ts';
import type { Labels } from '../labels.ts';
import { aggregate, type AggregateArgs, type GroupOf } from './aggregate.ts';
import type { Sample } from './values.ts';

/** Deterministic pseudo-random numbers (a fixed LCG), so a failure names its seed. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e308, -1e308, 5e-324, 0.1, 0.2, 0.30000000000000004];

function value(r: () => number): number {
  const x = r();
  if (x < 0.25) return SPECIAL[Math.floor(r() * SPECIAL.length)] as number;
  if (x < 0.5) return Math.round((r() - 0.5) * 20);
  return (r() - 0.5) * 10 ** Math.floor(r() * 40 - 20);
}

function hist(r: () => number): FloatHistogram {
  const h = new FloatHistogram();
  h.schema = 1;
  h.zeroThreshold = 0.001;
  h.zeroCount = Math.floor(r() * 3);
  h.positive = new Map([[Math.floor(r() * 4), 1 + Math.floor(r() * 5)]]);
  h.count = h.zeroCount + [...h.positive.values()].reduce((x, y) => x + y, 0);
  h.sum = value(r);
  return h;
}

/** Label sets made once, as the evaluator's leaves give the same objects at every step. */
function labelSets(r: () => number, n: number): Labels[] {
  return Array.from({ length: n }, (_, i) => {
    const l: Labels = { __name__: 'm', pod: `p${i}`, ns: `n${Math.floor(r() * 4)}` };
    if (r() < 0.6) l.job = `j${Math.floor(r() * 3)}`;
    return l;
  });
}

/** One step's input: a random subset of the label sets, in a random order, histograms among them if asked. */
function step(r: () => number, labels: Labels[], histograms: boolean): Sample[] {
  const out: Sample[] = [];
  for (const l of labels) {
    if (r() < 0.2) continue;
    if (histograms && r() < 0.15) out.push({ labels: l, value: NaN, histogram: hist(r) });
    else out.push({ labels: l, value: value(r) });
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j] as Sample, out[i] as Sample];
  }
  return out;
}

const OPS: AggregateOp[] = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'quantile'];

/** The samples and annotations of one aggregation, or the error it throws. */
function run(a: AggregateArgs, vec: Sample[]): unknown {
  const notes: string[] = [];
  try {
    const out = aggregate({ ...a, note: (k) => notes.push(k) }, vec);
    return { out, notes };
  } catch (e) {
    return { error: String(e), notes };
  }
}

describe('aggregate: the fast ways to a group give what the key per sample gives', () => {
  it('one group (no by/without labels) = by a label no series has, every op, 2.42 and 3.x, NaN, ±Inf, -0, histograms', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = random(seed);
      const labels = labelSets(r, 1 + Math.floor(r() * 30));
      for (const version of [2, 3] as const)
        for (const op of OPS)
          for (const partials of [false, true]) {
            const vec = step(r, labels, version === 3);
            const a: AggregateArgs = { op, grouping: [], without: false, version, param: r() * 1.2 - 0.1, partials };
            const want = run({ ...a, grouping: ['absent'] }, vec);
            expect(run(a, vec), `seed ${seed} ${op} v${version}`).toEqual(want);
            // The same through a memo, over several steps: the group's labels are one object at every step.
            const groups = new Map<Labels, GroupOf>();
            const outs = [0, 1, 2].map(() => {
              const v = step(r, labels, version === 3);
              const got = run({ ...a, groups }, v) as { out?: Sample[] };
              expect(got, `seed ${seed} ${op} v${version} memo`).toEqual(run({ ...a, grouping: ['absent'] }, v));
              return got.out?.[0]?.labels;
            });
            const [l0, l1] = outs.filter((l) => l !== undefined);
            if (l0 && l1) expect(l0).toBe(l1);
          }
    }
  });

  it('by and without through the memo (a GroupOf per key) = a key per sample, over many steps', () => {
    const groupings: [string[], boolean][] = [
      [['ns'], false],
      [['job'], false],
      [['ns', 'job'], false],
      [['pod'], false],
      [['job'], true],
      [['pod'], true],
      [[], true],
    ];
    for (let seed = 1; seed <= 20; seed++) {
      const r = random(100 + seed);
      const labels = labelSets(r, 1 + Math.floor(r() * 40));
      for (const version of [2, 3] as const)
        for (const op of OPS)
          for (const [grouping, without] of groupings) {
            const a: AggregateArgs = { op, grouping, without, version, param: r(), partials: r() < 0.3 };
            const groups = new Map<Labels, GroupOf>();
            for (let k = 0; k < 4; k++) {
              const vec = step(r, labels, version === 3);
              expect(run({ ...a, groups }, vec), `seed ${seed} ${op} ${String(grouping)} ${without}`).toEqual(
                run(a, vec),
              );
            }
          }
    }
  });

  it('topk, bottomk, limitk: one group = by a label no series has, ties and NaN included, memo or not', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const r = random(300 + seed);
      const labels = labelSets(r, 1 + Math.floor(r() * 30));
      for (const version of [2, 3] as const)
        for (const op of ['topk', 'bottomk', 'limitk'] as const) {
          const a: AggregateArgs = { op, grouping: [], without: false, version, param: Math.floor(r() * 8) };
          const groups = new Map<Labels, GroupOf>();
          for (let k = 0; k < 3; k++) {
            const vec = step(r, labels, version === 3).map((x) => (r() < 0.3 ? { ...x, value: 1 } : x));
            const want = run({ ...a, grouping: ['absent'] }, vec);
            expect(run(a, vec), `seed ${seed} ${op} v${version}`).toEqual(want);
            expect(run({ ...a, groups }, vec), `seed ${seed} ${op} v${version} memo`).toEqual(want);
          }
        }
    }
  });

  it('count_values labels each value and groups as before, memo or not', () => {
    const vec: Sample[] = [
      { labels: { a: '1' }, value: 2 },
      { labels: { a: '2' }, value: 2 },
      { labels: { a: '1' }, value: NaN },
    ];
    const a: AggregateArgs = { op: 'count_values', grouping: ['a'], without: false, version: 3, label: 'v' };
    const want = [
      { labels: { a: '1', v: '2' }, value: 1 },
      { labels: { a: '2', v: '2' }, value: 1 },
      { labels: { a: '1', v: 'NaN' }, value: 1 },
    ];
    expect(aggregate(a, vec)).toEqual(want);
    expect(aggregate({ ...a, groups: new Map() }, vec)).toEqual(want);
    expect(aggregate({ ...a, grouping: [] }, vec)).toEqual([
      { labels: { v: '2' }, value: 2 },
      { labels: { v: 'NaN' }, value: 1 },
    ]);
  });
});
