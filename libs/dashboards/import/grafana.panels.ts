import { z } from 'zod';
import { DURATION, panelSchema, type PanelType } from '../dashboard.schema.ts';
import { nodeGraphTarget } from './grafana.topology.ts';
import { asArray, asBool, asNumber, asObject, asString, type Json, type Notes } from './import.types.ts';

/**
 * Grafana panel JSON → Pharos panel
 * (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/#panels).
 * Shared by the Grafana importer and KubeSphere v1alpha2, whose panels are Grafana's older model.
 */
type PanelInput = z.input<typeof panelSchema>;

/** Grafana panel type → Pharos panel type; `note` says what is lost. Types not listed are not converted. */
const PANEL_TYPES: Record<string, { type: PanelType; note?: string }> = {
  graph: { type: 'timeseries' },
  timeseries: { type: 'timeseries' },
  singlestat: { type: 'stat' },
  stat: { type: 'stat' },
  gauge: { type: 'gauge' },
  bargauge: { type: 'bargauge' },
  table: { type: 'table' },
  'table-old': { type: 'table' },
  text: { type: 'text' },
  barchart: { type: 'bargauge', note: 'bar chart shown as a bar gauge' },
  piechart: { type: 'bargauge', note: 'pie chart shown as a bar gauge' },
  heatmap: { type: 'timeseries', note: 'heatmap shown as time series' },
  'state-timeline': { type: 'timeseries', note: 'state timeline shown as time series' },
  'status-history': { type: 'timeseries', note: 'status history shown as time series' },
};

/** Grafana reducers (reduceOptions.calcs, singlestat valueName) → Pharos reduce. */
const REDUCERS: Record<string, PanelInput['reduce']> = {
  last: 'last',
  lastNotNull: 'last',
  current: 'last',
  mean: 'mean',
  avg: 'mean',
  max: 'max',
  min: 'min',
  sum: 'sum',
  total: 'sum',
  first: 'first',
  firstNotNull: 'first',
};

const NON_PROMETHEUS =
  /^(-- ?(grafana|dashboard|mixed) ?--|grafana|loki|elasticsearch|influxdb|graphite|mysql|postgres|testdata|tempo|jaeger|cloudwatch)$/i;

/** Whether a panel/target `datasource` is (or may be) Prometheus; variables and names are trusted. */
export function isPrometheusDatasource(ds: unknown): boolean {
  if (ds === undefined || ds === null) return true;
  const obj = asObject(ds);
  if (obj) {
    const type = asString(obj.type);
    if (type && type !== 'prometheus') return type === 'datasource' ? false : /prometheus/i.test(type);
    return !NON_PROMETHEUS.test(asString(obj.uid) ?? '');
  }
  return !NON_PROMETHEUS.test(asString(ds) ?? '');
}

export interface PanelContext {
  path: string;
  notes: Notes;
  /** KubeSphere gives `step` instead of Grafana's `interval`. */
  stepField?: 'interval' | 'step';
}

export function convertPanel(raw: Json, ctx: PanelContext): PanelInput | undefined {
  const grafanaType = asString(raw.type) ?? '';
  const topology = grafanaType === 'nodeGraph' ? nodeGraphTarget(raw, ctx) : undefined;
  if (grafanaType === 'nodeGraph' && !topology) return undefined;
  const mapped: { type: PanelType; note?: string } | undefined = topology
    ? { type: 'topology' }
    : PANEL_TYPES[grafanaType];
  const title = asString(raw.title) ?? '';
  if (!mapped) {
    ctx.notes.add(ctx.path, `panel "${title}" of type "${grafanaType}" has no Pharos equivalent; left out`);
    return undefined;
  }
  if (mapped.note) ctx.notes.add(ctx.path, `panel "${title}": ${mapped.note}`);
  const type: PanelType = grafanaType === 'singlestat' && asBool(asObject(raw.gauge)?.show) ? 'gauge' : mapped.type;
  const panel: PanelInput = { type, title, ...fieldOptions(raw), ...displayOptions(raw, type, ctx) };
  const id = asNumber(raw.id);
  if (id !== undefined && Number.isInteger(id) && id >= 1) panel.id = id;
  const description = asString(raw.description);
  if (description) panel.description = description;
  if (topology) panel.targets = [topology];
  else if (type !== 'text') panel.targets = convertTargets(raw, ctx);
  noteLosses(raw, title, ctx);
  const checked = panelSchema.safeParse(panel);
  if (checked.success) return panel;
  const problems = checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  ctx.notes.add(ctx.path, `panel "${title}" could not be converted: ${problems}`);
  return undefined;
}

/** Units, decimals, min/max and thresholds from fieldConfig (Grafana 7+), singlestat fields or graph y-axes. */
function fieldOptions(raw: Json): Partial<PanelInput> {
  const defaults = asObject(asObject(raw.fieldConfig)?.defaults) ?? {};
  const yaxis = asObject(asArray(raw.yaxes)[0]) ?? {};
  const gauge = asObject(raw.gauge) ?? {};
  const out: Partial<PanelInput> = {};
  const unit = asString(defaults.unit) ?? asString(raw.format) ?? asString(yaxis.format);
  if (unit) out.unit = unit;
  const decimals = asNumber(defaults.decimals) ?? asNumber(raw.decimals) ?? asNumber(yaxis.decimals);
  if (decimals !== undefined) out.decimals = Math.max(0, Math.min(10, Math.round(decimals)));
  const min = asNumber(defaults.min) ?? asNumber(gauge.minValue);
  const max = asNumber(defaults.max) ?? asNumber(gauge.maxValue);
  if (min !== undefined) out.min = min;
  if (max !== undefined) out.max = max;
  const thresholds = convertThresholds(raw, defaults);
  if (thresholds) out.thresholds = thresholds;
  return out;
}

function convertThresholds(raw: Json, defaults: Json): PanelInput['thresholds'] {
  const t = asObject(defaults.thresholds);
  if (t) {
    const steps = asArray(t.steps)
      .map(asObject)
      .filter((s): s is Json => !!s && typeof s.color === 'string')
      .map((s, i) => ({ value: i === 0 ? null : (asNumber(s.value) ?? null), color: s.color as string }));
    if (steps.length) return { mode: t.mode === 'percentage' ? 'percentage' : 'absolute', steps };
  }
  // singlestat: thresholds "80,90" with three colours.
  const legacy = asString(raw.thresholds);
  const colors = asArray(raw.colors)
    .map(asString)
    .filter((c): c is string => !!c);
  if (legacy && colors.length) {
    const values = legacy
      .split(',')
      .map((v) => asNumber(v.trim()))
      .filter((v): v is number => v !== undefined);
    return {
      mode: 'absolute',
      steps: [
        { value: null, color: colors[0]! },
        ...values.map((v, i) => ({ value: v, color: colors[i + 1] ?? colors.at(-1)! })),
      ],
    };
  }
  return undefined;
}

function displayOptions(raw: Json, type: PanelType, ctx: PanelContext): Partial<PanelInput> {
  const options = asObject(raw.options) ?? {};
  const out: Partial<PanelInput> = {};
  if (type === 'text') {
    out.content = asString(options.content) ?? asString(raw.content) ?? '';
    if ((asString(options.mode) ?? asString(raw.mode)) === 'html')
      ctx.notes.add(ctx.path, `panel "${asString(raw.title) ?? ''}": HTML content is shown as text`);
  }
  const calc = asString(asArray(asObject(options.reduceOptions)?.calcs)[0]) ?? asString(raw.valueName);
  const reduce = calc ? REDUCERS[calc] : undefined;
  if (reduce && (type === 'stat' || type === 'gauge' || type === 'bargauge')) out.reduce = reduce;
  return out;
}

function convertTargets(raw: Json, ctx: PanelContext): NonNullable<PanelInput['targets']> {
  const title = asString(raw.title) ?? '';
  const out: NonNullable<PanelInput['targets']> = [];
  asArray(raw.targets).forEach((value, i) => {
    const t = asObject(value) ?? {};
    const path = `${ctx.path}.targets.${i}`;
    const ds = t.datasource ?? raw.datasource;
    if (!isPrometheusDatasource(ds)) {
      ctx.notes.add(path, `panel "${title}": target uses data source ${JSON.stringify(ds)}, not Prometheus; left out`);
      return;
    }
    const expr = asString(t.expr)?.trim();
    if (!expr) {
      if (t.hide !== true) ctx.notes.add(path, `panel "${title}": target has no PromQL expr; left out`);
      return;
    }
    const target: (typeof out)[number] = { expr, instant: t.instant === true };
    const refId = asString(t.refId);
    if (refId) target.refId = refId;
    const legend = asString(t.legendFormat);
    if (legend && legend !== '__auto') target.legendFormat = legend;
    const step = asString(t[ctx.stepField ?? 'interval'])?.replace(/^>/, '');
    if (step && DURATION.test(step)) target.step = step;
    if (t.hide === true) target.hide = true;
    out.push(target);
  });
  return out;
}

function noteLosses(raw: Json, title: string, ctx: PanelContext): void {
  if (asArray(raw.transformations).length)
    ctx.notes.add(ctx.path, `panel "${title}": transformations are not converted; data is shown as queried`);
  if (asArray(asObject(raw.fieldConfig)?.overrides).length)
    ctx.notes.add(ctx.path, `panel "${title}": field overrides are not converted`);
  if (asString(raw.repeat))
    ctx.notes.add(ctx.path, `panel "${title}": repeat by $${asString(raw.repeat)} is not supported; shown once`);
}
