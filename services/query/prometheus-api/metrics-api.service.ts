import { InputError, PharosError } from '../../../libs/errors/errors.ts';
import type { LabelMatcher } from '../../../libs/promql/ast.ts';
import { compileMatcherRegex, type Regex, type RegexError } from '../../../libs/text/regex.ts';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { PROMQL_ANY } from '../../../libs/promql/parse-options.ts';
import { printExpr } from '../../../libs/promql/printer.ts';
import { rewriteSelectors } from '../../../libs/promql/rewrite.ts';
import type { FederatedQueryService, FederatedResult, PromSample } from '../../../libs/federation/federation.types.ts';
import type { MetricLevel, MetricTemplates } from './metric-templates.ts';

export interface MetricsRequest {
  level: MetricLevel;
  metricsFilter?: string;
  resourcesFilter?: string;
  cluster?: string;
  namespace?: string;
  time?: number;
  range?: { start: number; end: number; step: number };
}

/** One metric's answer; a failing metric reports `error` beside the others instead of failing the call. */
export interface MetricResult {
  metric_name: string;
  data?: { resultType: FederatedResult['resultType']; result: unknown };
  warnings?: string[];
  error?: string;
}

const NAMESPACED: ReadonlySet<MetricLevel> = new Set(['namespace', 'workload', 'pod', 'container']);

/** metrics_filter / resources_filter: RE2, anchored like a PromQL matcher (KubeSphere's filters are Go regexps). */
function regexParam(name: string, v: string | undefined): Regex {
  try {
    return compileMatcherRegex(v ?? '.*');
  } catch (err) {
    throw new InputError(
      `invalid parameter "${name}": not a valid regular expression (RE2 syntax): ${(err as RegexError).reason}`,
    );
  }
}

/**
 * KubeSphere-style named metrics: the templates of one level whose names match metrics_filter, each run through
 * the federated engine with the request's cluster/namespace injected, results kept where the level's resource
 * label matches resources_filter.
 */
export class MetricsApiService {
  constructor(
    private readonly opts: { federation: () => Promise<FederatedQueryService>; templates: MetricTemplates },
  ) {}

  async query(req: MetricsRequest, signal?: AbortSignal): Promise<{ results: MetricResult[] }> {
    const metricsRe = regexParam('metrics_filter', req.metricsFilter);
    const resourcesRe = regexParam('resources_filter', req.resourcesFilter);
    const level = this.opts.templates.levels[req.level];
    const names = Object.keys(level.metrics)
      .filter((n) => metricsRe.test(n))
      .sort();
    const inject: LabelMatcher[] = [];
    if (req.cluster) inject.push({ name: 'cluster', op: '=', value: req.cluster });
    if (req.namespace && NAMESPACED.has(req.level)) inject.push({ name: 'namespace', op: '=', value: req.namespace });
    const fed = await this.opts.federation();
    const asked = { fed, req, inject, resourceLabel: level.resourceLabel, resourcesRe };
    const results = await Promise.all(
      names.map((name) => this.one({ name, template: level.metrics[name] as string }, asked, signal)),
    );
    return { results };
  }

  /** One metric of the level (its PromQL `template`) asked of the federation `c.fed`, within the request `c`. */
  private async one(
    { name, template }: { name: string; template: string },
    c: {
      fed: FederatedQueryService;
      req: MetricsRequest;
      inject: LabelMatcher[];
      resourceLabel: string;
      resourcesRe: Regex;
    },
    signal?: AbortSignal,
  ): Promise<MetricResult> {
    try {
      const query = printExpr(
        rewriteSelectors(parsePromQL(template, PROMQL_ANY), (s) => ({ ...s, matchers: [...s.matchers, ...c.inject] })),
      );
      const r = c.req.range
        ? await c.fed.range({ query, ...c.req.range }, signal)
        : await c.fed.instant({ query, time: c.req.time ?? Date.now() / 1000 }, signal);
      const result = Array.isArray(r.result)
        ? (r.result as PromSample[]).filter((s) => c.resourcesRe.test(s.metric[c.resourceLabel] ?? ''))
        : r.result;
      return {
        metric_name: name,
        data: { resultType: r.resultType, result },
        ...(r.warnings.length ? { warnings: r.warnings } : {}),
      };
    } catch (err) {
      if (!(err instanceof PharosError)) throw err;
      return { metric_name: name, error: `${err.code}: ${err.message}` };
    }
  }
}
