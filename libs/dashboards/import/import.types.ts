import { z } from 'zod';
import type { DashboardInput } from '../dashboard.schema.ts';

/** Something of the source that did not become part of the Pharos definition, and why. */
export const importNoteSchema = z.object({ path: z.string(), message: z.string() });
export type ImportNote = z.infer<typeof importNoteSchema>;

export const IMPORT_FORMATS = ['grafana', 'kubesphere'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface Conversion {
  format: ImportFormat;
  /** Suggested id (Grafana uid, KubeSphere namespace/name), before collision handling. */
  id: string;
  dashboard: DashboardInput;
  unconverted: ImportNote[];
}

/** One source format: recognises its documents and converts them. Registered by format name. */
export interface Importer {
  format: ImportFormat;
  /** True when the document is this format's dashboard (it may still be unconvertible). */
  detect(doc: Record<string, unknown>): boolean;
  convert(doc: Record<string, unknown>): Conversion;
}

/** Collects notes with the source path they concern. */
export class Notes {
  readonly items: ImportNote[] = [];
  add(path: string, message: string): void {
    this.items.push({ path, message });
  }
}

// Loose readers for foreign JSON: return undefined rather than throw, so one odd field never fails an import.
export type Json = Record<string, unknown>;
export const asObject = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
export const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asString = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
export const asNumber = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};
export const asBool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
