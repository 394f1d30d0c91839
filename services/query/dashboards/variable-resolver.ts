import type { Variable } from '../../../libs/dashboards/dashboard.schema.ts';
import {
  constant,
  interpolate,
  type ResolvedVariable,
  type VariableScope,
} from '../../../libs/dashboards/interpolate.ts';
import { parseLabelValues } from '../../../libs/dashboards/label-values.ts';
import type { TimeRange } from '../../../libs/dashboards/time-range.ts';
import { formatDuration, sumDurationTerms } from '../../../libs/time/duration.ts';
import type { Scope } from '../../../libs/auth/principal.ts';
import { InputError, PharosError } from '../../../libs/errors/errors.ts';
import { compileVariableRegex } from '../../../libs/dashboards/variable-regex.ts';
import type { Regex, RegexError } from '../../../libs/text/regex.ts';
import { filterLabelValues, scopeSeriesMatch } from '../../../libs/tenancy/promql-scope.ts';
import type { MetricsPort } from './dashboards.ports.ts';
import type { CacheControl } from '../../../libs/federation/frontend/frontend.types.ts';

/** The special value meaning "All", as Grafana writes it in URLs (`var-x=$__all`). */
export const ALL = '$__all';

/** A variable as the viewer shows it: its options and what is selected. */
export interface VariableState {
  name: string;
  label?: string | undefined;
  type: Variable['type'];
  multi: boolean;
  includeAll: boolean;
  hide: boolean;
  options: string[];
  /** Selected values; [ALL] when All is selected. */
  current: string[];
  error?: string;
}

export interface ResolveOptions {
  range: TimeRange;
  /** `var-<name>` values from the request. */
  requested: Record<string, string[]>;
  metrics: () => Promise<MetricsPort>;
  /** The caller's scope: option lists only show what the caller may see. */
  principalScope: Scope;
  /** Fetch option lists even when the selection does not need them (the viewer's pickers). */
  withOptions: boolean;
  signal?: AbortSignal | undefined;
  /** The render's Cache-Control, for the metadata cache. */
  cacheControl?: CacheControl | undefined;
}

/**
 * Resolves variables in definition order, each seeing the ones before it (a query may use `$cluster`).
 * A variable whose options cannot be fetched keeps its requested or default selection and reports why.
 */
export async function resolveVariables(
  variables: readonly Variable[],
  opts: ResolveOptions,
): Promise<{ scope: VariableScope; states: VariableState[] }> {
  const scope: VariableScope = {};
  const states: VariableState[] = [];
  for (const v of variables) {
    const state = await resolveOne(v, scope, opts);
    states.push(state);
    scope[v.name] = toResolved(v, state, opts.range);
  }
  return { scope, states };
}

async function resolveOne(v: Variable, scope: VariableScope, opts: ResolveOptions): Promise<VariableState> {
  const base = { name: v.name, label: v.label, type: v.type, hide: v.hide ?? false };
  if (v.type === 'interval') {
    const options = v.auto ? ['auto', ...v.options] : v.options;
    const wanted = opts.requested[v.name]?.[0] ?? v.default ?? options[0]!;
    return {
      ...base,
      multi: false,
      includeAll: false,
      options,
      current: [options.includes(wanted) || /^\d/.test(wanted) ? wanted : options[0]!],
    };
  }
  const requested = normaliseSelection(opts.requested[v.name] ?? asList(v.default), v);
  const state: VariableState = {
    ...base,
    multi: v.multi,
    includeAll: v.includeAll,
    options: v.type === 'custom' ? v.options : [],
    current: requested ?? [],
  };
  const needOptions =
    v.type === 'query' && (opts.withOptions || !requested || (requested[0] === ALL && v.allValue === undefined));
  if (needOptions && v.type === 'query') {
    try {
      state.options = await queryOptions(v, scope, opts);
    } catch (err) {
      state.error =
        err instanceof PharosError ? err.message : `options could not be fetched: ${(err as Error).message}`;
    }
  }
  if (!requested) state.current = v.includeAll ? [ALL] : state.options.slice(0, 1);
  return state;
}

/** `All`/`$__all` → [ALL]; a single-value variable keeps the first value; empty means "not given". */
function normaliseSelection(
  values: string[] | undefined,
  v: { multi: boolean; includeAll: boolean },
): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  if (values.some((x) => x === ALL || (v.includeAll && x === 'All'))) return [ALL];
  return v.multi ? values : values.slice(0, 1);
}

const asList = (d: string | string[] | undefined): string[] | undefined =>
  d === undefined ? undefined : Array.isArray(d) ? d : [d];

async function queryOptions(
  v: Extract<Variable, { type: 'query' }>,
  scope: VariableScope,
  opts: ResolveOptions,
): Promise<string[]> {
  const { label, match } = parseLabelValues(interpolate(v.query, scope));
  const metrics = await opts.metrics();
  const window = {
    start: opts.range.from / 1000,
    end: opts.range.to / 1000,
    ...(opts.cacheControl ? { cacheControl: opts.cacheControl } : {}),
  };
  const scopedMatch = scopeSeriesMatch(match ? [match] : [], opts.principalScope);
  const answer = await metrics.labelValues(
    label,
    scopedMatch.length ? { match: scopedMatch, ...window } : window,
    opts.signal,
  );
  let values = filterLabelValues(label, answer.data, opts.principalScope);
  // The federation adds `cluster` to every series; if it does not list it as a label, the clusters are its values.
  if (label === 'cluster' && values.length === 0)
    values = filterLabelValues(label, metrics.clusters(), opts.principalScope);
  if (v.regex) values = applyRegex(values, v.regex);
  values = [...new Set(values)];
  if (v.sort !== 'none')
    values.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }) * (v.sort === 'desc' ? -1 : 1));
  return values;
}

/**
 * Grafana's variable regex: keeps matches; the first capture group, when present, is the value. RE2 (linear
 * time); a stored regex that is not RE2 (saved by an older Pharos) keeps no value and the variable reports why.
 */
function applyRegex(values: string[], pattern: string): string[] {
  let re: Regex;
  try {
    re = compileVariableRegex(pattern);
  } catch (err) {
    throw new InputError(
      `variable regex ${pattern} is not valid RE2 (${(err as RegexError).reason}); no option is kept`,
    );
  }
  return values.flatMap((value) => {
    const hit = re.exec(value);
    if (!hit) return [];
    return [hit[1] ?? hit[0] ?? ''];
  });
}

function toResolved(v: Variable, state: VariableState, range: TimeRange): ResolvedVariable {
  if (v.type === 'interval') {
    const value = state.current[0] === 'auto' ? autoInterval(v, range) : state.current[0]!;
    return constant(value);
  }
  const isAll = state.current[0] === ALL;
  return {
    values: isAll ? state.options : state.current,
    isAll,
    allValue: v.allValue,
    regexFormat: v.multi || v.includeAll,
  };
}

/** Grafana's auto interval: range / autoCount, never below autoMin. */
function autoInterval(v: Extract<Variable, { type: 'interval' }>, range: TimeRange): string {
  const ms = Math.max(sumDurationTerms(v.autoMin), Math.round((range.to - range.from) / v.autoCount / 1000) * 1000);
  return formatDuration(ms);
}
