import { createHash } from 'node:crypto';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { InputError, LimitError, PharosError, type ErrorDetail } from '../../../libs/errors/errors.ts';
import type { Expr } from '../../../libs/promql/ast.ts';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { PROMQL_ANY } from '../../../libs/promql/parse-options.ts';
import { checkSubqueryPoints, type PointLimits } from '../../../libs/promql/query-cost.ts';
import { tryParseDuration as parseDuration } from '../../../libs/time/duration.ts';
import { templateError } from '../template/rule-template.ts';
import { readsRecords, toRecordCountQuery, type RecordCountQuery } from './record-count-query.ts';
import type { RuleGroupSpec, RuleSpec } from './rule.schema.ts';
import { readsSpans, toSpanRuleQuery, type SpanRuleQuery } from './span-rule-query.ts';

export type GroupSource = { type: 'file'; file: string } | { type: 'api' };

export interface AlertRule {
  type: 'alert';
  /** Stable across restarts and unrelated edits: keys the persisted alert state. */
  key: string;
  name: string;
  expr: string;
  /** metric: PromQL through the federation layer; records: a count over logs, events or audit; spans: over traces. */
  source: 'metric' | 'records' | 'spans';
  /** The record-count query of a `source: 'records'` rule. */
  records?: RecordCountQuery;
  /** The count or ratio of a `source: 'spans'` rule. */
  spans?: SpanRuleQuery;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Recording rules load (the shared rule files have them) but are not evaluated: Pharos has no TSDB to write to. */
export interface RecordingRule {
  type: 'record';
  key: string;
  name: string;
  expr: string;
  labels: Record<string, string>;
}

export type CompiledRule = AlertRule | RecordingRule;

export interface CompiledGroup {
  id: string;
  name: string;
  source: GroupSource;
  intervalMs: number;
  limit: number;
  rules: CompiledRule[];
  spec: RuleGroupSpec;
}

export function groupId(source: GroupSource, name: string): string {
  return source.type === 'api' ? `api/${name}` : `file/${source.file}/${name}`;
}

export interface RuleCompileOptions {
  defaultIntervalMs: number;
  /** federation.maxPointsPerSeries / maxSubqueryPointsPerSeries (their defaults when absent). */
  limits?: PointLimits;
}

const DEFAULT_LIMITS: PointLimits = federationConfigSchema.parse({});

/**
 * Checks everything zod cannot (PromQL, the records grammar, templates, what the expression may cost a cluster),
 * reporting each problem with its path: a LimitError when every problem is a limit, an InputError otherwise.
 */
export function compileGroup(spec: RuleGroupSpec, source: GroupSource, opts: RuleCompileOptions): CompiledGroup {
  const details: ErrorDetail[] = [];
  const limitDetails = new Set<ErrorDetail>();
  const id = groupId(source, spec.name);
  const rules: CompiledRule[] = [];
  spec.rules.forEach((r, i) => {
    const at = (field: string) => `rules.${i}.${field}`;
    try {
      rules.push(compileRule(r, id, opts.limits ?? DEFAULT_LIMITS));
    } catch (err) {
      const detail = { path: at('expr'), message: err instanceof PharosError ? err.message : (err as Error).message };
      details.push(detail);
      if (err instanceof LimitError) limitDetails.add(detail);
    }
    for (const [k, v] of Object.entries({ ...r.labels })) {
      const e = templateError(v);
      if (e) details.push({ path: at(`labels.${k}`), message: `template: ${e}` });
    }
    for (const [k, v] of Object.entries({ ...r.annotations })) {
      const e = templateError(v);
      if (e) details.push({ path: at(`annotations.${k}`), message: `template: ${e}` });
    }
  });
  if (details.length) {
    const message = `rule group "${spec.name}" is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`;
    throw limitDetails.size === details.length ? new LimitError(message, details) : new InputError(message, details);
  }
  return {
    id,
    name: spec.name,
    source,
    intervalMs: spec.interval ? (parseDuration(spec.interval) as number) : opts.defaultIntervalMs,
    limit: spec.limit ?? 0,
    rules,
    spec,
  };
}

function compileRule(r: RuleSpec, group: string, limits: PointLimits): CompiledRule {
  const ast = parsePromQL(r.expr, PROMQL_ANY);
  const labels = { ...r.labels };
  const name = (r.alert ?? r.record) as string;
  const key = createHash('sha256')
    .update(JSON.stringify([group, name, r.expr, Object.entries(labels).sort()]))
    .digest('hex')
    .slice(0, 24);
  if (r.record) return { type: 'record', key, name, expr: r.expr, labels };
  const spans = readsSpans(ast) ? toSpanRuleQuery(ast) : undefined;
  const recordCount = !spans && readsRecords(ast) ? toRecordCountQuery(ast) : undefined;
  if (!recordCount && !spans) checkInstantCost(ast, limits);
  return {
    type: 'alert',
    key,
    name,
    expr: r.expr,
    source: spans ? 'spans' : recordCount ? 'records' : 'metric',
    ...(recordCount ? { records: recordCount } : {}),
    ...(spans ? { spans } : {}),
    forMs: r.for ? (parseDuration(r.for) as number) : 0,
    keepFiringForMs: r.keep_firing_for ? (parseDuration(r.keep_firing_for) as number) : 0,
    labels,
    annotations: { ...r.annotations },
  };
}

/**
 * A rule over metrics is an instant query at each evaluation: its subqueries are bounded at load as the
 * federation bounds them per query (libs/promql/query-cost.ts), so a rule that would cost a member Prometheus
 * billions of points is refused before it is ever evaluated.
 */
function checkInstantCost(ast: Expr, limits: PointLimits): void {
  const now = Date.now();
  checkSubqueryPoints(ast, { startMs: now, endMs: now, stepMs: 1, steps: 1 }, { limits });
}
