import { InputError } from '../../errors/errors.ts';
import type { RecordKind } from '../../schemas/records.ts';
import { planSearch, type SearchPlan } from '../../search/search-plan.ts';
import { MULTI_VALUED_FIELDS, storedField } from '../record-fields.ts';
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
    const field = storedField(kind, name);
    if (field === undefined) throw new InputError(`Unknown filter "${name}" for ${kind}`, [{ path: name, message: 'not a filter of this kind' }]);
    if (values.length === 0) continue;
    const marks = values.map(() => '?').join(', ');
    parts.push(
      MULTI_VALUED_FIELDS.has(field)
        ? `EXISTS (SELECT 1 FROM json_each(t.${q(field)}) j WHERE j.value IN (${marks}))`
        : `t.${q(field)} IN (${marks})`,
    );
    params.push(...values);
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
      return { sql: `(${items.map((i) => i.sql).join(plan.type === 'and' ? ' AND ' : ' OR ')})`, params: items.flatMap((i) => i.params) };
    }
    case 'not': {
      const inner = planSql(kind, plan.item);
      return { sql: `(NOT ${inner.sql})`, params: inner.params };
    }
    case 'exact':
      return MULTI_VALUED_FIELDS.has(plan.field)
        ? { sql: `EXISTS (SELECT 1 FROM json_each(t.${q(plan.field)}) j WHERE ${LOWER_FN}(j.value) = ?)`, params: [plan.value] }
        : { sql: `(t.${q(plan.field)} IS NOT NULL AND ${LOWER_FN}(t.${q(plan.field)}) = ?)`, params: [plan.value] };
    case 'text': {
      // FTS5 syntax: {columns} : "phrase". Tokens hold only letters and digits, so nothing needs escaping.
      const match = `{${plan.fields.join(' ')}} : "${plan.tokens.join(' ')}"`;
      return { sql: `t.rid IN (SELECT rowid FROM ${ftsName(kind)} WHERE ${ftsName(kind)} MATCH ?)`, params: [match] };
    }
  }
}

export const fromTable = (kind: RecordKind): string => `${tableName(kind)} t`;
