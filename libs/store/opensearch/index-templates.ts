import type { RecordKind } from '../../schemas/records.ts';
import { MAX_TOKEN_LENGTH, TOKEN_SEPARATOR_PATTERN } from '../../search/tokenize.ts';
import { DOC_FILTER_FIELDS, ATTRIBUTE_FIELD } from '../../schemas/records.ts';
import { ATTRIBUTE_TERMS, MAX_ATTRIBUTE_TERM } from './attribute-terms.ts';
import { filterColumns, textFields } from '../../schemas/record-fields.ts';
import { kindPattern } from './index-names.ts';

export interface TemplateOptions {
  indexPrefix: string;
  shards: number;
  replicas: number;
}

/** Defaults of the generated files in templates/ (storage.indexPrefix, shards, replicas defaults). */
export const DEFAULT_TEMPLATE_OPTIONS: TemplateOptions = { indexPrefix: 'pharos', shards: 1, replicas: 0 };

export const templateName = (prefix: string, kind: RecordKind): string => `${prefix}-${kind}`;

/**
 * The text pipeline of libs/search/tokenize.ts in OpenSearch terms: split on non-letters/digits (pattern
 * tokenizer, Java regex), lowercase, truncate. `pharos_lowercase` is the keyword normalizer behind
 * case-insensitive `field:value`.
 */
const ANALYSIS = {
  tokenizer: { pharos_words: { type: 'pattern', pattern: TOKEN_SEPARATOR_PATTERN } },
  filter: { pharos_truncate: { type: 'truncate', length: MAX_TOKEN_LENGTH } },
  analyzer: { pharos_text: { type: 'custom', tokenizer: 'pharos_words', filter: ['lowercase', 'pharos_truncate'] } },
  normalizer: { pharos_lowercase: { type: 'custom', filter: ['lowercase'] } },
};

const keyword = { type: 'keyword' };
const date = { type: 'date', format: 'epoch_millis' };
const notIndexed = { type: 'object', enabled: false };

/** Fields kept in _source and indexed as plain values, beyond the filter and text fields. */
const EXTRA_FIELDS: Record<RecordKind, Record<string, object>> = {
  logs: { stream: keyword, labels: notIndexed, severityNumber: { type: 'short' } },
  events: {
    objectUid: keyword,
    source: keyword,
    host: keyword,
    uid: keyword,
    count: { type: 'long' },
    firstTimestamp: date,
    lastTimestamp: date,
    raw: notIndexed,
  },
  audit: {
    auditID: keyword,
    userAgent: { type: 'keyword', ignore_above: 1024 },
    apiGroup: keyword,
    apiVersion: keyword,
    raw: notIndexed,
  },
};

/**
 * Mapping of one kind. Filter fields are keywords (exact, case-sensitive filters; terms aggregations) with an
 * `lc` sub-field for case-insensitive `field:value`, and a `text` sub-field when `q` also searches them; pure
 * text fields use the pharos_text analyzer. `dynamic: false` keeps unknown fields in _source without
 * growing the mapping.
 */
export function kindMappings(kind: RecordKind): object {
  const properties: Record<string, object> = {
    // Sorted on (the tie-break after time, sortClause), never searched: doc values without the inverted
    // index, which held one unique term per document (OpenSearch's CPU per document: docs/ingest.md).
    id: { type: 'keyword', index: false },
    kind: keyword,
    time: date,
    ingestedAt: date,
    ...EXTRA_FIELDS[kind],
  };
  const texts = textFields(kind);
  for (const field of filterColumns(kind)) {
    const fields: Record<string, object> = { lc: { type: 'keyword', normalizer: 'pharos_lowercase' } };
    if (texts.includes(field)) fields.text = { type: 'text', analyzer: 'pharos_text' };
    properties[field] = { type: 'keyword', fields };
  }
  for (const field of Object.values(DOC_FILTER_FIELDS[kind]))
    properties[field] = { type: 'keyword', fields: { lc: { type: 'keyword', normalizer: 'pharos_lowercase' } } };
  // The senders' attributes: kept whole in _source, indexed as one keyword array of `key=value` terms, so any
  // key is filterable without a mapping entry per key (a chatty sender cannot blow up the mapping), at a
  // fraction of a flat_object's cost (attribute-terms.ts).
  const attributes = ATTRIBUTE_FIELD[kind];
  if (attributes) {
    properties[attributes] = notIndexed;
    properties[ATTRIBUTE_TERMS] = { type: 'keyword', ignore_above: MAX_ATTRIBUTE_TERM };
  }
  for (const field of texts) properties[field] ??= { type: 'text', analyzer: 'pharos_text' };
  return { dynamic: false, properties: sortKeys(properties) };
}

/** Composable index template `<prefix>-<kind>` for `<prefix>-<kind>-*`. */
export function indexTemplate(kind: RecordKind, options: TemplateOptions = DEFAULT_TEMPLATE_OPTIONS): object {
  return {
    index_patterns: [kindPattern(options.indexPrefix, kind)],
    priority: 100,
    _meta: { managed_by: 'pharos', generated_from: 'libs/store/opensearch/index-templates.ts' },
    template: {
      settings: { number_of_shards: options.shards, number_of_replicas: options.replicas, analysis: ANALYSIS },
      mappings: kindMappings(kind),
    },
  };
}

function sortKeys(o: Record<string, object>): Record<string, object> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
