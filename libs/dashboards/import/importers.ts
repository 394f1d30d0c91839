import { InputError } from '../../errors/errors.ts';
import { parseDocumentText, validateDashboard } from '../dashboard.parse.ts';
import type { Dashboard } from '../dashboard.schema.ts';
import { grafanaImporter } from './grafana.import.ts';
import { asObject, type Conversion, type ImportFormat, type ImportNote, type Importer } from './import.types.ts';
import { kubesphereImporter, notADashboard } from './kubesphere.import.ts';

/** Importers keyed by format; the first whose `detect` accepts the document converts it. */
export const IMPORTERS: Record<ImportFormat, Importer> = {
  grafana: grafanaImporter,
  kubesphere: kubesphereImporter,
};

export interface ImportOutcome {
  format: ImportFormat;
  id: string;
  dashboard: Dashboard;
  unconverted: ImportNote[];
}

/**
 * Converts one foreign dashboard — an object, or YAML/JSON text — to a validated Pharos definition and
 * the list of what could not be converted. Anything that is not a dashboard (a CRD, a random object) is
 * an InputError that says what it is.
 */
export function importDashboard(input: unknown, source = 'import'): ImportOutcome {
  const raw = typeof input === 'string' ? parseDocumentText(input, source) : input;
  const doc = asObject(raw);
  if (!doc)
    throw new InputError(
      `${source}: expected a dashboard object (Grafana JSON or a KubeSphere Dashboard), got ${Array.isArray(raw) ? 'a list' : typeof raw}`,
    );
  const importer = Object.values(IMPORTERS).find((i) => i.detect(doc));
  if (!importer) {
    if ('apiVersion' in doc || 'kind' in doc) throw new InputError(`${source}: ${notADashboard(doc)}`);
    throw new InputError(
      `${source}: not a recognised dashboard; expected Grafana dashboard JSON (panels, schemaVersion) or a monitoring.kubesphere.io Dashboard/ClusterDashboard`,
    );
  }
  const conversion = dedupe(importer.convert(doc));
  return {
    format: conversion.format,
    id: conversion.id,
    dashboard: validateDashboard(conversion.dashboard, source),
    unconverted: conversion.unconverted,
  };
}

/**
 * Hand-edited sources repeat panel ids and variable names, which Grafana tolerates and the Pharos schema
 * does not: a repeated panel id is dropped (a fresh one is assigned), a repeated variable is left out.
 */
function dedupe(c: Conversion): Conversion {
  const ids = new Set<number>();
  const rows = (c.dashboard.rows ?? []).map((r) => ({
    ...r,
    panels: (r.panels ?? []).map((p) => {
      if (p.id === undefined) return p;
      if (!ids.has(p.id)) {
        ids.add(p.id);
        return p;
      }
      const { id: _dropped, ...rest } = p;
      return rest;
    }),
  }));
  const names = new Set<string>();
  const unconverted = [...c.unconverted];
  const variables = (c.dashboard.variables ?? []).filter((v) => {
    if (!names.has(v.name)) return names.add(v.name);
    unconverted.push({ path: 'variables', message: `variable $${v.name} is defined twice; the second is left out` });
    return false;
  });
  return { ...c, dashboard: { ...c.dashboard, rows, variables }, unconverted };
}
