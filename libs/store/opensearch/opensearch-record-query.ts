import { InputError } from '../../errors/errors.ts';
import type { RecordKind } from '../../schemas/records.ts';
import { planSearch, type SearchPlan } from '../../search/search-plan.ts';
import { filterColumns, filterTarget } from '../../schemas/record-fields.ts';
import type { RecordQuery } from '../record-store.ts';
import { attributeClause } from './attribute-terms.ts';

type Clause = Record<string, unknown>;

/**
 * Query DSL for a RecordQuery, all in filter context (no scoring: results are sorted by time). Built from
 * the search plan with term / match_phrase style clauses only; user text never reaches query_string,
 * regexp or scripts.
 */
export function buildQuery(kind: RecordKind, query: RecordQuery): Clause {
  const filter: Clause[] = [];
  if (query.start !== undefined || query.end !== undefined) {
    const range: Clause = { format: 'epoch_millis' };
    if (query.start !== undefined) range.gte = query.start;
    if (query.end !== undefined) range.lt = query.end;
    filter.push({ range: { time: range } });
  }
  for (const [name, values] of Object.entries(query.filters)) {
    const target = filterTarget(kind, name);
    if (target === undefined)
      throw new InputError(`Unknown filter "${name}" for ${kind}`, [
        { path: name, message: 'not a filter of this kind' },
      ]);
    if (values.length === 0) continue;
    filter.push(
      target.type === 'attribute' ? attributeClause(target, values) : { terms: { [target.field]: [...values] } },
    );
  }
  if (query.q) filter.push(planClause(kind, planSearch(kind, query.q)));
  return { bool: { filter } };
}

function planClause(kind: RecordKind, plan: SearchPlan): Clause {
  switch (plan.type) {
    case 'and':
      return { bool: { filter: plan.items.map((p) => planClause(kind, p)) } };
    case 'or':
      return { bool: { should: plan.items.map((p) => planClause(kind, p)), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: [planClause(kind, plan.item)] } };
    case 'exact':
      // Attribute terms (keys are the senders' own) have no normalizer: the term query compares
      // case-insensitively instead.
      return plan.target.type === 'attribute'
        ? attributeClause(plan.target, [plan.value], true)
        : { term: { [`${plan.field}.lc`]: plan.value } };
    case 'text': {
      const keywords = new Set(filterColumns(kind));
      const paths = plan.fields.map((f) => (keywords.has(f) ? `${f}.text` : f));
      const text = plan.tokens.join(' ');
      // A phrase of one token is a word match; the tokens are already analyzed, re-analysis keeps them.
      if (paths.length === 1) return { match_phrase: { [paths[0] as string]: { query: text } } };
      return { multi_match: { query: text, type: 'phrase', fields: paths } };
    }
  }
}

/** Time, then id, then cluster: the same id from two clusters is two records, and paging must not skip one. */
export const sortClause = (order: 'asc' | 'desc'): Clause[] => [
  { time: { order } },
  { id: { order } },
  { cluster: { order } },
];
