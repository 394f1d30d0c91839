import { z } from 'zod';
import { FILTER_FIELDS, RECORD_KINDS } from '../schemas/records.ts';
import { checkTopologyTargets, topologyTargetSchema } from './topology-target.schema.ts';
import { variableRegexProblem } from './variable-regex.ts';

/**
 * The dashboard definition: one zod contract that validates YAML/JSON files, API bodies and import output,
 * types the code and documents the API. Field names follow Grafana's where the idea is the same
 * (`gridPos`, `legendFormat`, `instant`, `unit`, `decimals`, `thresholds`, `includeAll`, `allValue`), so a
 * Grafana user reads it without a manual.
 */

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * Prometheus duration (`30s`, `5m`, `1h30m`) —
 * https://prometheus.io/docs/prometheus/latest/querying/basics/#time-durations
 */
export const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;
const duration = z.string().regex(DURATION, 'a duration like 30s, 5m or 1h');

/** Time range bounds as Grafana writes them: `now`, `now-6h`, RFC 3339, epoch ms or s. */
export const timeRangeSchema = z
  .object({ from: z.string().min(1).default('now-1h'), to: z.string().min(1).default('now') })
  .strict();

export const thresholdsSchema = z
  .object({
    mode: z.enum(['absolute', 'percentage']).default('absolute'),
    /** Ascending; the first step's value is null (the base colour), as in Grafana's field config. */
    steps: z.array(z.object({ value: z.number().nullable(), color: z.string().min(1) }).strict()).min(1),
  })
  .strict();

export const promTargetSchema = z
  .object({
    datasource: z.literal('prometheus').optional(),
    refId: z.string().optional(),
    /** Federated PromQL; variables and $__interval / $__rate_interval / $__range are substituted first. */
    expr: z.string().trim().min(1, 'expr must not be empty'),
    /** `{{label}}` templates, as Prometheus's console templates and Grafana write them. */
    legendFormat: z.string().optional(),
    /** Evaluated once at the range's end (`to`) instead of over the range. */
    instant: z.boolean().default(false),
    /** Minimum resolution step of a range query. */
    step: duration.optional(),
    hide: z.boolean().optional(),
  })
  .strict();

const filterValue = z.union([z.string(), z.array(z.string()).min(1)]);

export const recordTargetSchema = z
  .object({
    datasource: z.enum(RECORD_KINDS),
    refId: z.string().optional(),
    /** The Query API's search expression (`q`). */
    q: z.string().optional(),
    /** The Query API's filters for this kind (cluster, namespace, reason …); a list means any of them. */
    filters: z.record(z.string(), filterValue).default({}),
    limit: z.number().int().min(1).max(1000).default(100),
    hide: z.boolean().optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const known = FILTER_FIELDS[t.datasource];
    for (const name of Object.keys(t.filters)) {
      if (!(name in known)) {
        ctx.addIssue({
          code: 'custom',
          path: ['filters', name],
          message: `unknown ${t.datasource} filter "${name}"; known: ${Object.keys(known).join(', ')}`,
        });
      }
    }
  });

export const targetSchema = z.discriminatedUnion('datasource', [
  promTargetSchema,
  recordTargetSchema,
  topologyTargetSchema,
]);

export const PANEL_TYPES = [
  'timeseries',
  'stat',
  'gauge',
  'bargauge',
  'table',
  'text',
  'logs',
  'events',
  'audit',
  'topology',
] as const;

export const gridPosSchema = z
  .object({
    x: z.number().int().min(0).max(23).default(0),
    y: z.number().int().min(0).default(0),
    w: z.number().int().min(1).max(24).default(12),
    h: z.number().int().min(1).max(100).default(8),
  })
  .strict();

export const panelSchema = z
  .object({
    /** Unique within the dashboard; assigned in reading order when left out. */
    id: z.number().int().min(1).optional(),
    type: z.enum(PANEL_TYPES),
    title: z.string().default(''),
    description: z.string().optional(),
    /** 24 columns wide, rows of ~30 px, relative to the top of the panel's row. */
    gridPos: gridPosSchema.prefault({}),
    targets: z.array(targetSchema).default([]),
    /** Grafana unit ids: bytes, percentunit, percent, s, ms, short, reqps, bps, Bps, ops, pps, none … */
    unit: z.string().min(1).optional(),
    decimals: z.number().int().min(0).max(10).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    thresholds: thresholdsSchema.optional(),
    /** Text panels: markdown content (variables substituted). */
    content: z.string().optional(),
    /** Stat/gauge: how a series becomes one number. */
    reduce: z.enum(['last', 'mean', 'max', 'min', 'sum', 'first']).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.type === 'text' && p.targets.length)
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'text panels have no targets' });
    if (p.type !== 'text' && p.content !== undefined)
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'only text panels have content' });
    checkTopologyTargets(p, ctx);
  });

export const rowSchema = z
  .object({
    title: z.string().default(''),
    collapsed: z.boolean().default(false),
    panels: z.array(panelSchema).default([]),
  })
  .strict();

const variableCommon = {
  name: z.string().regex(VAR_NAME, 'letters, digits and _, not starting with a digit'),
  label: z.string().optional(),
  hide: z.boolean().optional(),
};
const selection = {
  multi: z.boolean().default(false),
  includeAll: z.boolean().default(false),
  /** What "All" becomes in queries; without it, an alternation of every option. */
  allValue: z.string().optional(),
  /** Initial selection; `$__all` selects All. */
  default: z.union([z.string(), z.array(z.string())]).optional(),
};

export const queryVariableSchema = z
  .object({
    type: z.literal('query'),
    ...variableCommon,
    ...selection,
    /** `label_values(metric{matchers}, label)` or `label_values(label)`, over all clusters. */
    query: z.string().regex(/^\s*label_values\s*\(.*\)\s*$/s, 'label_values(metric, label) or label_values(label)'),
    /** Keeps matching values; a capture group picks the shown value, as in Grafana. */
    regex: z
      .string()
      .optional()
      .superRefine((re, ctx) => {
        const problem = re === undefined ? undefined : variableRegexProblem(re);
        if (problem)
          ctx.addIssue({
            code: 'custom',
            message: `not a valid RE2 regular expression (Pharos evaluates regexes in linear time, with Go's syntax: no lookarounds or backreferences): ${problem}`,
          });
      }),
    sort: z.enum(['none', 'asc', 'desc']).default('asc'),
  })
  .strict();

export const customVariableSchema = z
  .object({ type: z.literal('custom'), ...variableCommon, ...selection, options: z.array(z.string()).min(1) })
  .strict();

export const intervalVariableSchema = z
  .object({
    type: z.literal('interval'),
    ...variableCommon,
    options: z.array(duration).min(1),
    /** Adds `auto`: the range divided by autoCount, at least autoMin. */
    auto: z.boolean().default(false),
    autoCount: z.number().int().min(1).default(30),
    autoMin: duration.default('10s'),
    default: z.string().optional(),
  })
  .strict();

export const variableSchema = z.discriminatedUnion('type', [
  queryVariableSchema,
  customVariableSchema,
  intervalVariableSchema,
]);

export const DASHBOARD_ID = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export const dashboardSchema = z
  .object({
    /** Lowercase slug; given on create or derived from the title. */
    id: z.string().regex(DASHBOARD_ID, 'lowercase letters, digits, . _ -; at most 100').optional(),
    title: z.string().trim().min(1, 'a dashboard needs a title'),
    description: z.string().optional(),
    tags: z.array(z.string()).default([]),
    time: timeRangeSchema.prefault({}),
    /** Auto-refresh period in the viewer; absent means off. */
    refresh: duration.optional(),
    variables: z.array(variableSchema).default([]),
    rows: z.array(rowSchema).default([]),
  })
  .strict()
  .superRefine(checkUnique);

function checkUnique(
  d: { variables: { name: string }[]; rows: { panels: { id?: number | undefined }[] }[] },
  ctx: z.RefinementCtx,
): void {
  const names = new Set<string>();
  d.variables.forEach((v, i) => {
    if (names.has(v.name))
      ctx.addIssue({ code: 'custom', path: ['variables', i, 'name'], message: `duplicate variable "${v.name}"` });
    names.add(v.name);
  });
  const ids = new Set<number>();
  d.rows.forEach((r, ri) =>
    r.panels.forEach((p, pi) => {
      if (p.id === undefined) return;
      if (ids.has(p.id))
        ctx.addIssue({ code: 'custom', path: ['rows', ri, 'panels', pi, 'id'], message: `duplicate panel id ${p.id}` });
      ids.add(p.id);
    }),
  );
}

export type DashboardInput = z.input<typeof dashboardSchema>;
export type Dashboard = z.output<typeof dashboardSchema>;
export type Row = Dashboard['rows'][number];
export type Panel = Row['panels'][number];
export type PanelType = Panel['type'];
export type Target = Panel['targets'][number];
export type PromTarget = z.output<typeof promTargetSchema>;
export type RecordTarget = z.output<typeof recordTargetSchema>;
export type Variable = Dashboard['variables'][number];

export const isPromTarget = (t: Target): t is PromTarget => t.datasource === undefined || t.datasource === 'prometheus';

/** Gives every panel an id (max + 1, in reading order), so render answers and the viewer can refer to it. */
export function assignPanelIds(d: Dashboard): Dashboard {
  let next = Math.max(0, ...d.rows.flatMap((r) => r.panels.map((p) => p.id ?? 0))) + 1;
  return {
    ...d,
    rows: d.rows.map((r) => ({ ...r, panels: r.panels.map((p) => (p.id === undefined ? { ...p, id: next++ } : p)) })),
  };
}

export const allPanels = (d: Dashboard): Panel[] => d.rows.flatMap((r) => r.panels);
