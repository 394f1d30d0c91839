import { InputError } from '../../errors/errors.ts';
import { parseDocumentText, validateDashboard } from '../dashboard.parse.ts';
import type { Dashboard } from '../dashboard.schema.ts';
import { grafanaImporter } from './grafana.import.ts';
import { asObject, type ImportFormat, type ImportNote, type Importer } from './import.types.ts';
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
  if (!doc) throw new InputError(`${source}: expected a dashboard object (Grafana JSON or a KubeSphere Dashboard), got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
  const importer = Object.values(IMPORTERS).find((i) => i.detect(doc));
  if (!importer) {
    if ('apiVersion' in doc || 'kind' in doc) throw new InputError(`${source}: ${notADashboard(doc)}`);
    throw new InputError(`${source}: not a recognised dashboard; expected Grafana dashboard JSON (panels, schemaVersion) or a monitoring.kubesphere.io Dashboard/ClusterDashboard`);
  }
  const conversion = importer.convert(doc);
  return { format: conversion.format, id: conversion.id, dashboard: validateDashboard(conversion.dashboard, source), unconverted: conversion.unconverted };
}
