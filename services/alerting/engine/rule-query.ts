import type { FederatedQueryService, PromSample } from '../../../libs/federation/federation.types.ts';
import type { RecordStore } from '../../../libs/store/record-store.ts';
import type { SpanStore } from '../../../libs/store/spans/span-store.ts';
import type { AlertRule } from '../rules/compile.ts';
import type { Sample } from './alert-state.ts';
import { evaluateRecordCountRule } from './record-count-rule.ts';
import { evaluateSpanRule } from './span-rule.ts';

/** What one rule evaluation yields: the samples that satisfy it, and which clusters could not answer. */
export interface RuleResult {
  samples: Sample[];
  failedClusters: Map<string, string>;
  warnings: string[];
}

/** The engine's view of its data sources; fakes in unit tests, the federation layer and record store in production. */
export interface RuleSources {
  federation: () => Promise<Pick<FederatedQueryService, 'instant' | 'clusters'>>;
  records: () => Promise<Pick<RecordStore, 'count' | 'stats' | 'exportAll'>>;
  clusters: () => string[];
  /** The span store, for rules over spans (span-rule.ts); absent where there is none (tests of metric rules). */
  spans?: () => Promise<Pick<SpanStore, 'countSpans'>>;
}

/** One evaluation of a rule: at `nowMs` (epoch ms), over `sources`. */
export interface RuleEvaluation {
  nowMs: number;
  sources: RuleSources;
  signal: AbortSignal;
}

export async function queryRule(rule: AlertRule, at: RuleEvaluation): Promise<RuleResult> {
  const { nowMs, sources, signal } = at;
  if (rule.records) {
    const store = await sources.records();
    return evaluateRecordCountRule(rule.records, { nowMs, store, clusters: sources.clusters(), signal });
  }
  if (rule.spans) {
    if (!sources.spans) throw new Error('rules over spans need the span store, which this engine does not have');
    const store = await sources.spans();
    return evaluateSpanRule(rule.spans, { nowMs, store, clusters: sources.clusters(), signal });
  }
  const fed = await sources.federation();
  const res = await fed.instant({ query: rule.expr, time: nowMs / 1000, partialResponse: true }, signal);
  const failedClusters = new Map<string, string>();
  for (const [name, status] of Object.entries(res.clusters))
    if (status.status === 'error') failedClusters.set(name, status.error ?? 'evaluation failed');
  return { samples: toSamples(res.resultType, res.result), failedClusters, warnings: res.warnings };
}

/** A vector gives its samples; a scalar becomes one label-less sample, as Prometheus's rule query function does. */
export function toSamples(resultType: string, result: unknown): Sample[] {
  if (resultType === 'scalar') {
    const [, v] = result as [number, string];
    return [{ labels: {}, value: Number(v) }];
  }
  if (resultType !== 'vector') throw new Error(`rule result is a ${resultType}, not a vector`);
  return (result as PromSample[]).map((s) => ({ labels: s.metric, value: Number(s.value?.[1]) }));
}
