import { InputError } from '../../errors/errors.ts';
import type { RecordKind } from '../../schemas/records.ts';
import { planSearch, type SearchPlan } from '../../search/search-plan.ts';
import { filterTarget, MULTI_VALUED_FIELDS, type FilterTarget } from '../../schemas/record-fields.ts';
import type { RecordQuery } from '../record-store.ts';
import { ftsName, q, tableName } from './sqlite-record-schema.ts';

export type SqlValue = string | number;
export interface SqlPart {
  sql: string;
  params: SqlValue[];
}

/** SQL function registered on the connection: the tokenizer's per-character lowercasing. */
export const LOWER_FN = 'pharos_lower';

/**
 * WHERE clause for a query on `t` (the kind's table alias): time range, exact filters (OR within a field,
 * AND across fields), then the search plan. Every part evaluates to 0 or 1, never NULL, so NOT over a
 * missing field matches, as on OpenSearch.
 */
export function whereClause(kind: RecordKind, query: RecordQuery): SqlPart {
  const parts: string[] = ['1'];
  const params: SqlValue[] = [];
  if (query.start !== undefined) {
    parts.push('t.time >= ?');
    params.push(query.start);
  }
  if (query.end !== undefined) {
    parts.push('t.time < ?');
    params.push(query.end);
  }
  for (const [name, values] of Object.entries(query.filters)) {
    const target = filterTarget(kind, name);
    if (target === undefined)
      throw new InputError(`Unknown filter "${name}" for ${kind}`, [
        { path: name, message: 'not a filter of this kind' },
      ]);
    if (values.length === 0) continue;
    const marks = values.map(() => '?').join(', ');
    const part = valuesMatch(target, (v) => `${v} IN (${marks})`);
    parts.push(part.sql);
    params.push(...part.params, ...values);
  }
  if (query.q) {
    const search = planSql(kind, planSearch(kind, query.q));
    parts.push(search.sql);
    params.push(...search.params);
  }
  return { sql: parts.join(' AND '), params };
}

function planSql(kind: RecordKind, plan: SearchPlan): SqlPart {
  switch (plan.type) {
    case 'and':
    case 'or': {
      const items = plan.items.map((p) => planSql(kind, p));
      return {
        sql: `(${items.map((i) => i.sql).join(plan.type === 'and' ? ' AND ' : ' OR ')})`,
        params: items.flatMap((i) => i.params),
      };
    }
    case 'not': {
      const inner = planSql(kind, plan.item);
      return { sql: `(NOT ${inner.sql})`, params: inner.params };
    }
    case 'exact': {
      const part = valuesMatch(plan.target, (v) => `${LOWER_FN}(${v}) = ?`);
      return { sql: part.sql, params: [...part.params, plan.value] };
    }
    case 'text': {
      // FTS5 syntax: {columns} : "phrase". Tokens hold only letters and digits, so nothing needs escaping.
      const match = `{${plan.fields.join(' ')}} : "${plan.tokens.join(' ')}"`;
      return { sql: `t.rid IN (SELECT rowid FROM ${ftsName(kind)} WHERE ${ftsName(kind)} MATCH ?)`, params: [match] };
    }
  }
}

/**
 * SQL that is 1 when one of the target's values satisfies `test` (given the SQL of a value), else 0. Its own
 * parameters come first, the caller's (those of `test`) after. Document fields and attributes are read
 * from the stored JSON (json_each over the attribute map, so a key needs no escaping in a JSON path).
 */
function valuesMatch(target: FilterTarget, test: (value: string) => string): SqlPart {
  const field = target.field;
  if (target.type === 'attribute') {
    return {
      sql: `EXISTS (SELECT 1 FROM json_each(t.doc, '$.${field}') a WHERE a.key = ? AND a.type = 'text' AND ${test('a.value')})`,
      params: [target.key],
    };
  }
  if (target.type === 'doc') return { sql: `coalesce(${test(`json_extract(t.doc, '$.${field}')`)}, 0)`, params: [] };
  if (MULTI_VALUED_FIELDS.has(field))
    return { sql: `EXISTS (SELECT 1 FROM json_each(t.${q(field)}) j WHERE ${test('j.value')})`, params: [] };
  return { sql: `coalesce(${test(`t.${q(field)}`)}, 0)`, params: [] };
}

export const fromTable = (kind: RecordKind): string => `${tableName(kind)} t`;
