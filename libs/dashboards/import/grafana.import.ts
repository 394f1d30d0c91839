import { z } from 'zod';
import { InputError } from '../../errors/errors.ts';
import { slugify } from '../dashboard.parse.ts';
import { DURATION, type DashboardInput, type rowSchema } from '../dashboard.schema.ts';
import { convertPanel } from './grafana.panels.ts';
import { convertVariables } from './grafana.variables.ts';
import {
  Notes,
  asArray,
  asNumber,
  asObject,
  asString,
  type Conversion,
  type Importer,
  type Json,
} from './import.types.ts';

/**
 * Grafana dashboard JSON
 * (https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/),
 * schemaVersion 16 and later: flat `panels` with `gridPos`, where `row` panels start a row and a collapsed
 * row carries its own panels. The pre-16 `rows[].panels[]` with `span` is read as well. An export wrapped
 * as `{ dashboard, meta }` (the HTTP API's shape) is unwrapped.
 */
type RowInput = z.input<typeof rowSchema>;
type PanelInput = NonNullable<RowInput['panels']>[number];

export const grafanaImporter: Importer = {
  format: 'grafana',
  // A Grafana model has a panel list, a legacy row list or a numeric schemaVersion; a stray key of that name
  // (`"panels": "00001"`) does not make an object a dashboard.
  detect: (doc) => {
    const d = asObject(doc.dashboard) ?? doc;
    return (
      (Array.isArray(d.panels) || Array.isArray(d.rows) || typeof d.schemaVersion === 'number') && !('apiVersion' in d)
    );
  },
  convert: (doc) => convertGrafana(asObject(doc.dashboard) ?? doc),
};

function convertGrafana(d: Json): Conversion {
  for (const key of ['panels', 'rows'] as const) {
    if (key in d && !Array.isArray(d[key]))
      throw new InputError(`${key}: expected a list of panels, got ${typeof d[key]}`);
  }
  const notes = new Notes();
  const schemaVersion = asNumber(d.schemaVersion);
  if (schemaVersion !== undefined && schemaVersion < 16)
    notes.add('schemaVersion', `schemaVersion ${schemaVersion} predates 16; converted on a best-effort basis`);
  const title = asString(d.title)?.trim() || 'Imported dashboard';
  const dashboard: DashboardInput = {
    title,
    tags: asArray(d.tags)
      .map(asString)
      .filter((t): t is string => !!t),
    variables: convertVariables(asArray(asObject(d.templating)?.list), 'templating.list', notes),
    rows: asArray(d.panels).length ? layoutPanels(asArray(d.panels), notes) : layoutLegacyRows(asArray(d.rows), notes),
  };
  const description = asString(d.description);
  if (description) dashboard.description = description;
  const time = asObject(d.time);
  if (time) dashboard.time = { from: asString(time.from) ?? 'now-1h', to: asString(time.to) ?? 'now' };
  const refresh = asString(d.refresh);
  if (refresh && DURATION.test(refresh)) dashboard.refresh = refresh;
  if (asArray(asObject(d.annotations)?.list).some((a) => asObject(a)?.builtIn !== 1))
    notes.add('annotations', 'annotations are not converted');
  if (asArray(d.links).length) notes.add('links', 'dashboard links are not converted');
  return { format: 'grafana', id: slugify(asString(d.uid) ?? title), dashboard, unconverted: notes.items };
}

/** Flat panel list → rows. A row panel starts a new row; gridPos.y becomes relative to the row. */
function layoutPanels(panels: unknown[], notes: Notes): RowInput[] {
  const rows: RowInput[] = [];
  let current: RowInput & { panels: PanelInput[] } = { title: '', collapsed: false, panels: [] };
  let top = 0;
  /** Adds the panel `raw`, found at `path`, to `row`, whose top is `rowTop` in the dashboard's grid. */
  const add = (row: RowInput & { panels: PanelInput[] }, raw: Json, at: { path: string; rowTop: number }) => {
    const panel = convertPanel(raw, { path: at.path, notes });
    if (panel) row.panels.push({ ...panel, gridPos: gridPos(raw, at.rowTop) });
  };
  panels.forEach((value, i) => {
    const raw = asObject(value) ?? {};
    if (raw.type !== 'row') return add(current, raw, { path: `panels.${i}`, rowTop: top });
    if (current.panels.length || current.title) rows.push(current);
    top = (asNumber(asObject(raw.gridPos)?.y) ?? 0) + 1;
    current = { title: asString(raw.title) ?? '', collapsed: raw.collapsed === true, panels: [] };
    const row = current;
    asArray(raw.panels).forEach((nested, j) =>
      add(row, asObject(nested) ?? {}, { path: `panels.${i}.panels.${j}`, rowTop: top }),
    );
  });
  if (current.panels.length || current.title) rows.push(current);
  return rows;
}

function gridPos(raw: Json, rowTop: number): PanelInput['gridPos'] {
  const g = asObject(raw.gridPos) ?? {};
  /** `v` rounded into [lo, hi], `dflt` when absent. */
  const clamp = (v: number | undefined, [lo, hi]: [number, number], dflt: number) =>
    Math.max(lo, Math.min(hi, Math.round(v ?? dflt)));
  const w = clamp(asNumber(g.w), [1, 24], 12);
  return {
    x: clamp(asNumber(g.x), [0, 24 - w], 0),
    y: clamp((asNumber(g.y) ?? rowTop) - rowTop, [0, 10_000], 0),
    w,
    h: clamp(asNumber(g.h), [1, 100], 8),
  };
}

/** Pre-16 model: rows with `height` in px and panels with `span` (of 12). Panels flow left to right. */
function layoutLegacyRows(rows: unknown[], notes: Notes): RowInput[] {
  return rows.map((value, i) => {
    const row = asObject(value) ?? {};
    const h = Math.max(1, Math.round((asNumber(String(row.height ?? '250').replace('px', '')) ?? 250) / 30));
    const panels: PanelInput[] = [];
    let x = 0;
    let y = 0;
    asArray(row.panels).forEach((p, j) => {
      const raw = asObject(p) ?? {};
      const w = Math.max(1, Math.min(24, Math.round((asNumber(raw.span) ?? 12) * 2)));
      if (x + w > 24) [x, y] = [0, y + h];
      const panel = convertPanel(raw, { path: `rows.${i}.panels.${j}`, notes });
      if (panel) panels.push({ ...panel, gridPos: { x, y, w, h } });
      x += w;
    });
    return {
      title: row.showTitle === false ? '' : (asString(row.title) ?? ''),
      collapsed: row.collapse === true,
      panels,
    };
  });
}
