import type { Labels } from '../labels.ts';

/**
 * What one evaluation derives from label sets, remembered across its steps (issue 21: deriving them again at
 * every step was most of Pharos's own time on small range queries). A range query evaluates its tree once per
 * step over the same series objects (leaf-merge.ts's toSteps gives every step of a series the same `labels`),
 * so an aggregation's group, a binary operation's match signature and result labels, or labels without the
 * metric name come out the same at every step: computed once per series, and the derived label sets are then
 * the same objects at every step in turn (their labelsKey too, which labels.ts keeps on the object).
 *
 * Keyed by object identity, which is sound because label sets are never changed once built (labels.ts). One
 * memo lives as long as one evaluation (evalRange, evalInstant), so it holds nothing of other queries; each
 * `site` (an expression node, and what is derived there) has a map of its own.
 */
export class LabelMemo {
  private readonly sites = new Map<object, Record<string, Map<Labels, unknown>>>();

  /** The map of one site: what was derived there (`what`: group, signature, …) from each label set. */
  site<T>(node: object, what: string): Map<Labels, T> {
    let kinds = this.sites.get(node);
    if (!kinds) this.sites.set(node, (kinds = {}));
    return (kinds[what] ??= new Map()) as Map<Labels, T>;
  }
}

/** `derive(l)` through `memo` when there is one. */
export function memoized<T>(memo: Map<Labels, T> | undefined, l: Labels, derive: (l: Labels) => T): T {
  if (!memo) return derive(l);
  let v = memo.get(l);
  if (v === undefined) memo.set(l, (v = derive(l)));
  return v;
}
