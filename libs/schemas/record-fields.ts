import {
  ATTRIBUTE_FIELD,
  ATTRIBUTE_FILTER_PREFIX,
  DOC_FILTER_FIELDS,
  FILTER_FIELDS,
  TEXT_FIELDS,
  type AnyDoc,
  type RecordKind,
} from './records.ts';

/**
 * What both stores index, derived from the record schemas in one place: the stored fields behind the Query
 * API filters (exact match, keyword-like), which of them hold lists, and the free-text fields of `q`.
 */
export const MULTI_VALUED_FIELDS: ReadonlySet<string> = new Set(['groups', 'sourceIP', 'impersonatedGroups']);

/** Stored filter fields of a kind, without duplicates, in a stable order. */
export function filterColumns(kind: RecordKind): string[] {
  return [...new Set(Object.values(FILTER_FIELDS[kind]))];
}

export function textFields(kind: RecordKind): readonly string[] {
  return TEXT_FIELDS[kind];
}

/** Stored field behind a Query API filter name, or undefined when the name is not a filter of the kind. */
export function storedField(kind: RecordKind, filterName: string): string | undefined {
  return Object.hasOwn(FILTER_FIELDS[kind], filterName) ? FILTER_FIELDS[kind][filterName] : undefined;
}

/**
 * What a Query API filter name matches: a filter column (FILTER_FIELDS), a field read from the stored
 * document (DOC_FILTER_FIELDS), or one key of the kind's attribute map (`attr.<key>`).
 */
export type FilterTarget =
  | { type: 'column'; field: string }
  | { type: 'doc'; field: string }
  | { type: 'attribute'; field: string; key: string };

export function filterTarget(kind: RecordKind, name: string): FilterTarget | undefined {
  const column = storedField(kind, name);
  if (column !== undefined) return { type: 'column', field: column };
  if (Object.hasOwn(DOC_FILTER_FIELDS[kind], name)) return { type: 'doc', field: DOC_FILTER_FIELDS[kind][name]! };
  const attributes = ATTRIBUTE_FIELD[kind];
  if (attributes && name.startsWith(ATTRIBUTE_FILTER_PREFIX) && name.length > ATTRIBUTE_FILTER_PREFIX.length) {
    return { type: 'attribute', field: attributes, key: name.slice(ATTRIBUTE_FILTER_PREFIX.length) };
  }
  return undefined;
}

/** The value a document holds for a filter target, as strings (see fieldValues). */
export function targetValues(doc: AnyDoc, target: FilterTarget): string[] {
  if (target.type !== 'attribute') return fieldValues(doc, target.field);
  const map = (doc as unknown as Record<string, unknown>)[target.field] as Record<string, unknown> | undefined;
  const value = map && Object.hasOwn(map, target.key) ? map[target.key] : undefined;
  return value === undefined || value === null ? [] : [String(value)];
}

/**
 * The values a filter field holds for a document, as strings: numbers (audit `code`) compare as their
 * decimal text on both engines, lists are de-duplicated so a value counts once per record.
 */
export function fieldValues(doc: AnyDoc, field: string): string[] {
  const value = (doc as unknown as Record<string, unknown>)[field];
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return [...new Set(value.filter((v) => v !== null && v !== undefined).map(String))];
  return [String(value)];
}

export function textValue(doc: AnyDoc, field: string): string | undefined {
  const value = (doc as unknown as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/** A light structural check before a write: the stores must not index a record that cannot be queried. */
export function docProblem(kind: RecordKind, doc: AnyDoc): string | undefined {
  if (typeof doc !== 'object' || doc === null) return 'not an object';
  if (typeof doc.id !== 'string' || doc.id === '') return 'id must be a non-empty string';
  if (doc.kind !== kind) return `kind "${String(doc.kind)}" written as ${kind}`;
  if (!Number.isSafeInteger(doc.time)) return 'time must be an integer (epoch milliseconds)';
  if (typeof doc.cluster !== 'string' || doc.cluster === '') return 'cluster must be a non-empty string';
  return undefined;
}
