import type { SpanQuery } from './span-store.ts';

/**
 * Counting spans by fields, for alert rules over trace data (services/alerting/rules/span-rule-query.ts): the
 * count is pushed to the store (SQLite GROUP BY, OpenSearch composite aggregation), both exact.
 */

/** The fields spans can be counted by: the SpanDoc fields behind them are in each engine's file. */
export const SPAN_COUNT_FIELDS = ['cluster', 'namespace', 'service', 'name', 'kind', 'status'] as const;
export type SpanCountField = (typeof SPAN_COUNT_FIELDS)[number];

export interface SpanCountQuery extends SpanQuery {
  /** `status.code` among these (0 unset, 1 ok, 2 error); absent matches every status. */
  statusCodes?: readonly number[];
  /** The group key's fields, in this order. */
  by: readonly SpanCountField[];
  /** Groups returned at most (the first by key, on every engine); `truncated` says when there were more. */
  limit: number;
}

/**
 * One group: `key` holds the `by` fields' values in order, as text: `kind` as stored (`SPAN_KIND_SERVER`),
 * `status` as its code (`2`), '' for a span without a namespace.
 */
export interface SpanCountGroup {
  key: string[];
  count: number;
}

export interface SpanCounts {
  groups: SpanCountGroup[];
  truncated: boolean;
}
