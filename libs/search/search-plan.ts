import { InputError } from '../errors/errors.ts';
import { ATTRIBUTE_FIELD, DOC_FILTER_FIELDS, FILTER_FIELDS, TEXT_FIELDS, type RecordKind } from '../schemas/records.ts';
import { filterTarget, type FilterTarget } from '../schemas/record-fields.ts';
import type { SearchExpr } from '../schemas/search-expr.ts';
import { lowerSimple, tokenize } from './tokenize.ts';

/**
 * A search expression resolved for one kind: field names mapped to stored fields and values tokenized, so
 * both stores only translate, never interpret. The meaning, identical on SQLite and OpenSearch:
 *
 * - `text`: the tokens appear consecutively in one of `fields` (one token = a word match; more = a phrase).
 *   An unqualified word or phrase searches every text field of the kind (TEXT_FIELDS).
 * - `exact`: `field:value` on a filter field: the stored value equals `value`, case-insensitively
 *   (both sides lowercased per character); on a multi-valued field, any element does. `target` says where
 *   the value is (a filter column, a document field, or one key of the attributes: `attr.<key>:value`).
 * - and / or / not as usual; `not` also matches records that lack the field.
 */
export type SearchPlan =
  | { type: 'text'; fields: readonly string[]; tokens: readonly string[] }
  | { type: 'exact'; field: string; value: string; target: FilterTarget }
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
  const target = leaf.field === undefined ? undefined : filterTarget(kind, leaf.field);
  if (target !== undefined) return { type: 'exact', field: target.field, value: lowerSimple(leaf.value), target };
  if (leaf.field !== undefined && !TEXT_FIELDS[kind].includes(leaf.field)) {
    const known = [
      ...Object.keys(FILTER_FIELDS[kind]),
      ...Object.keys(DOC_FILTER_FIELDS[kind]),
      ...TEXT_FIELDS[kind],
      ...(ATTRIBUTE_FIELD[kind] ? ['attr.<key>'] : []),
    ];
    throw new InputError(
      `Invalid search query q: unknown field "${leaf.field}" for ${kind}; use one of ${[...new Set(known)].join(', ')}`,
      [{ path: 'q', message: `unknown field "${leaf.field}"` }],
    );
  }
  const tokens = tokenize(leaf.value);
  if (tokens.length === 0) {
    throw new InputError(`Invalid search query q: "${leaf.value}" has no letters or digits to search for`, [
      { path: 'q', message: `"${leaf.value}" has no letters or digits` },
    ]);
  }
  return { type: 'text', fields: leaf.field === undefined ? TEXT_FIELDS[kind] : [leaf.field], tokens };
}
