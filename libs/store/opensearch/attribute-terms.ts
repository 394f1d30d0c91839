import type { AnyDoc } from '../record-store.ts';

/**
 * A record's attributes (logs: every resource and record attribute a sender set) are indexed as one keyword
 * array of `key=value` terms, `attrs`, and kept in `_source` as the `attributes` object unindexed. Until this
 * version they were one `flat_object` field, which OpenSearch 2.19 indexes three times per leaf (the key, the
 * value and the path=value, each with doc values) after parsing the object again: measured on the ingest
 * bench's OTLP documents (three attributes each), OpenSearch spent 6.8 CPU-s per 100,000 of them with the
 * flat_object and 5.5 with the terms (median of 7 interleaved rounds). The terms stay in `_source`: leaving
 * them out (`_source.excludes`) made OpenSearch filter every document's source at indexing, 7.0 CPU-s, more
 * than the flat_object; readers drop them instead (withoutAttributeTerms). Indices made before keep their
 * flat_object: a filter asks both fields (attributeClause), so old and new records are found alike.
 */
export const ATTRIBUTE_TERMS = 'attrs';

/**
 * Longest `key=value` term indexed, in characters. Lucene refuses a term over 32,766 bytes with the whole
 * document; 8,191 characters of up to 4 bytes each stay under it. A longer pair is stored but not filterable
 * (values are cut at 8,192 characters at intake, docs/ingest.md, so only a very long key with a long value).
 */
export const MAX_ATTRIBUTE_TERM = 8191;

export const attributeTerm = (key: string, value: string): string => `${key}=${value}`;

/** The terms of a document's attribute map: its string form of each value, as filters compare them. */
export function attributeTerms(map: unknown): string[] {
  if (map === null || typeof map !== 'object') return [];
  const terms: string[] = [];
  for (const [key, value] of Object.entries(map as Record<string, unknown>))
    if (value !== undefined && value !== null) terms.push(attributeTerm(key, String(value)));
  return terms;
}

/**
 * The JSON text sent for `doc`: `json` (its JSON as the bus carried it) or its serialization, with the terms of
 * `doc[field]` appended as `attrs` when it has any. Appending to the text keeps the indexer's no-reserialization
 * path (the doc's JSON is an object, so its last character is `}`).
 */
export function withAttributeTerms(doc: AnyDoc, field: string, json?: string): string {
  const text = json ?? JSON.stringify(doc);
  const terms = attributeTerms((doc as unknown as Record<string, unknown>)[field]);
  if (terms.length === 0) return text;
  return `${text.slice(0, text.lastIndexOf('}'))},${JSON.stringify(ATTRIBUTE_TERMS)}:${JSON.stringify(terms)}}`;
}

/** A stored document as readers get it: without the terms an index made before this version kept in `_source`. */
export function withoutAttributeTerms(source: AnyDoc): AnyDoc {
  if (!Object.hasOwn(source, ATTRIBUTE_TERMS)) return source;
  const copy = { ...source } as unknown as Record<string, unknown>;
  delete copy[ATTRIBUTE_TERMS];
  return copy as unknown as AnyDoc;
}

/**
 * A filter on attribute `key` being one of `values`, over both layouts: `attrs` terms (indices of this version)
 * and the flat_object path `<field>.<key>` (older ones). `caseInsensitive` (the `q` language's `attr.k:v`)
 * compares the whole term case-insensitively, the key included (the flat_object path compared the key exactly).
 */
export function attributeClause(
  { field, key }: { field: string; key: string },
  values: readonly string[],
  caseInsensitive = false,
): Record<string, unknown> {
  const terms = values.map((v) => attributeTerm(key, v));
  const should = caseInsensitive
    ? [
        ...terms.map((value) => ({ term: { [ATTRIBUTE_TERMS]: { value, case_insensitive: true } } })),
        ...values.map((value) => ({ term: { [`${field}.${key}`]: { value, case_insensitive: true } } })),
      ]
    : [{ terms: { [ATTRIBUTE_TERMS]: terms } }, { terms: { [`${field}.${key}`]: [...values] } }];
  return { bool: { should, minimum_should_match: 1 } };
}
