import { InputError } from '../errors/errors.ts';
import { FILTER_FIELDS, TEXT_FIELDS, type RecordKind } from '../schemas/records.ts';
import type { SearchExpr } from '../store/record-store.ts';
import { lowerSimple, tokenize } from './tokenize.ts';

/**
 * A search expression resolved for one kind: field names mapped to stored fields and values tokenized, so
 * both stores only translate, never interpret. The meaning, identical on SQLite and OpenSearch:
 *
 * - `text`: the tokens appear consecutively in one of `fields` (one token = a word match; more = a phrase).
 *   An unqualified word or phrase searches every text field of the kind (TEXT_FIELDS).
 * - `exact`: `field:value` on a filter field: the stored value equals `value`, case-insensitively
 *   (both sides lowercased per character); on a multi-valued field, any element does.
 * - and / or / not as usual; `not` also matches records that lack the field.
 */
export type SearchPlan =
  | { type: 'text'; fields: readonly string[]; tokens: readonly string[] }
  | { type: 'exact'; field: string; value: string }
  | { type: 'and' | 'or'; items: SearchPlan[] }
  | { type: 'not'; item: SearchPlan };

export function planSearch(kind: RecordKind, expr: SearchExpr): SearchPlan {
  switch (expr.type) {
    case 'and':
    case 'or':
      return { type: expr.type, items: expr.items.map((e) => planSearch(kind, e)) };
    case 'not':
      return { type: 'not', item: planSearch(kind, expr.item) };
    default:
      return planLeaf(kind, expr);
  }
}

function planLeaf(kind: RecordKind, leaf: Extract<SearchExpr, { type: 'term' | 'phrase' }>): SearchPlan {
  const filterField = leaf.field === undefined ? undefined : FILTER_FIELDS[kind][leaf.field];
  if (filterField !== undefined) return { type: 'exact', field: filterField, value: lowerSimple(leaf.value) };
  if (leaf.field !== undefined && !TEXT_FIELDS[kind].includes(leaf.field)) {
    const known = [...Object.keys(FILTER_FIELDS[kind]), ...TEXT_FIELDS[kind]];
    throw new InputError(`Invalid search query q: unknown field "${leaf.field}" for ${kind}; use one of ${[...new Set(known)].join(', ')}`, [
      { path: 'q', message: `unknown field "${leaf.field}"` },
    ]);
  }
  const tokens = tokenize(leaf.value);
  if (tokens.length === 0) {
    throw new InputError(`Invalid search query q: "${leaf.value}" has no letters or digits to search for`, [
      { path: 'q', message: `"${leaf.value}" has no letters or digits` },
    ]);
  }
  return { type: 'text', fields: leaf.field === undefined ? TEXT_FIELDS[kind] : [leaf.field], tokens };
}
