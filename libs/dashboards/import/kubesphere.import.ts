import { z } from 'zod';
import { slugify } from '../dashboard.parse.ts';
import { DURATION, type DashboardInput, type rowSchema } from '../dashboard.schema.ts';
import { convertPanel } from './grafana.panels.ts';
import { convertVariables } from './grafana.variables.ts';
import { Notes, asArray, asObject, asString, type Conversion, type Importer, type Json } from './import.types.ts';

/**
 * KubeSphere custom monitoring dashboards: `Dashboard` (namespaced) and `ClusterDashboard` resources of
 * `monitoring.kubesphere.io` v1alpha1 and v1alpha2 (schemas in kubesphere/monitoring-dashboard's CRDs).
 * Both keep Grafana's older panel model (graph, singlestat, row, text) without positions, so panels are
 * laid out in reading order: stats four to a line, graphs two to a line. KubeSphere writes units as
 * display names ("Byte", "percent (0.0-1.0)"); they are mapped to Grafana unit ids.
 */
type RowInput = z.input<typeof rowSchema>;
type PanelInput = NonNullable<RowInput['panels']>[number];

const GROUP = 'monitoring.kubesphere.io';
const VERSIONS = ['v1alpha1', 'v1alpha2'];
const KINDS = ['Dashboard', 'ClusterDashboard'];

/** KubeSphere unit names → Grafana unit ids. */
const UNITS: Record<string, string> = {
  Byte: 'bytes',
  'Byte/s': 'Bps',
  'percent (0.0-1.0)': 'percentunit',
  'percent (0-100)': 'percent',
  none: 'none',
  ms: 'ms',
  s: 's',
  second: 's',
  bps: 'bps',
};

export const kubesphereImporter: Importer = {
  format: 'kubesphere',
  detect: (doc) => VERSIONS.some((v) => doc.apiVersion === `${GROUP}/${v}`) && KINDS.includes(String(doc.kind)),
  convert: convertKubeSphere,
};

/** Why a Kubernetes object that is not a KubeSphere dashboard cannot be imported; undefined if it is one. */
export function notADashboard(doc: Json): string | undefined {
  const apiVersion = String(doc.apiVersion ?? '');
  const kind = String(doc.kind ?? '');
  if (kind === 'CustomResourceDefinition')
    return `this is the CustomResourceDefinition ${asString(asObject(doc.metadata)?.name) ?? ''} (a schema), not a dashboard`;
  if (apiVersion.startsWith(`${GROUP}/`) && KINDS.includes(kind) && !VERSIONS.includes(apiVersion.split('/')[1]!)) {
    return `${apiVersion} is not supported; use ${VERSIONS.map((v) => `${GROUP}/${v}`).join(' or ')}`;
  }
  return `${kind || 'an object'} (${apiVersion}) is not a dashboard; expected a ${GROUP} Dashboard or ClusterDashboard, or Grafana dashboard JSON`;
}

function convertKubeSphere(doc: Json): Conversion {
  const notes = new Notes();
  const metadata = asObject(doc.metadata) ?? {};
  const spec = asObject(doc.spec) ?? {};
  const name = asString(metadata.name) ?? 'dashboard';
  const namespace = asString(metadata.namespace);
  const known = new Set([
    'title',
    'description',
    'datasource',
    'panels',
    'templating',
    'templatings',
    'time',
    'auto_refresh',
    'editable',
    'tags',
    'annotations',
    'shared_crosshair',
    'timezone',
    'id',
    'uid',
  ]);
  for (const key of Object.keys(spec)) if (!known.has(key)) notes.add(`spec.${key}`, `unknown field "${key}"; ignored`);
  if (asArray(spec.annotations).length) notes.add('spec.annotations', 'annotations are not converted');
  const dashboard: DashboardInput = {
    title: asString(spec.title)?.trim() || name,
    tags: asArray(spec.tags)
      .map(asString)
      .filter((t): t is string => !!t),
    variables: convertVariables(
      asArray(spec.templatings).length ? asArray(spec.templatings) : asArray(spec.templating),
      asArray(spec.templatings).length ? 'spec.templatings' : 'spec.templating',
      notes,
    ),
    rows: layout(asArray(spec.panels), notes),
  };
  const description = asString(spec.description);
  if (description) dashboard.description = description;
  const time = asObject(spec.time);
  if (time) dashboard.time = { from: asString(time.from) ?? 'now-1h', to: asString(time.to) ?? 'now' };
  const refresh = asString(spec.auto_refresh);
  if (refresh && DURATION.test(refresh)) dashboard.refresh = refresh;
  const scope = doc.kind === 'ClusterDashboard' ? 'cluster' : (namespace ?? 'default');
  return { format: 'kubesphere', id: slugify(`ks-${scope}-${name}`), dashboard, unconverted: notes.items };
}

/** Reading-order flow layout; `row` panels start a new row. */
function layout(panels: unknown[], notes: Notes): RowInput[] {
  const rows: (RowInput & { panels: PanelInput[] })[] = [];
  let current: RowInput & { panels: PanelInput[] } = { title: '', collapsed: false, panels: [] };
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  panels.forEach((value, i) => {
    const raw = withGrafanaUnits(asObject(value) ?? {});
    if (raw.type === 'row') {
      if (current.panels.length || current.title) rows.push(current);
      current = { title: asString(raw.title) ?? '', collapsed: false, panels: [] };
      [x, y, lineHeight] = [0, 0, 0];
      return;
    }
    const panel = convertPanel(raw, { path: `spec.panels.${i}`, notes, stepField: 'step' });
    if (!panel) return;
    const small = panel.type === 'stat' || panel.type === 'gauge';
    const [w, h] = small ? [6, 4] : [12, 8];
    if (x + w > 24) [x, y, lineHeight] = [0, y + lineHeight, 0];
    current.panels.push({ ...panel, gridPos: { x, y, w, h } });
    x += w;
    lineHeight = Math.max(lineHeight, h);
  });
  if (current.panels.length || current.title) rows.push(current);
  return rows;
}

function withGrafanaUnits(raw: Json): Json {
  const map = (f: unknown) => (typeof f === 'string' ? (UNITS[f] ?? f) : f);
  const yaxes = asArray(raw.yaxes).map((a) => {
    const axis = asObject(a);
    return axis ? { ...axis, format: map(axis.format) } : a;
  });
  return { ...raw, format: map(raw.format), yaxes };
}
