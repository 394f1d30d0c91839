import { z } from 'zod';
import { PANEL_TYPES } from '../../../libs/dashboards/dashboard.schema.ts';
import type { VariableScope } from '../../../libs/dashboards/interpolate.ts';
import type { TimeRange } from '../../../libs/dashboards/time-range.ts';
import type { Scope } from '../../../libs/auth/principal.ts';
import { RECORD_KINDS } from '../../../libs/schemas/records.ts';
import type { TopologyAnswer } from '../traces/traces.service.ts';
import { topologyResponseSchema } from '../traces/traces.schemas.ts';
import type { DerivedCache } from '../../../libs/federation/frontend/derived-cache.ts';
import type { CacheControl } from '../../../libs/federation/frontend/frontend.types.ts';
import type { MetricsPort, RecordsPort, TopologyPort } from './dashboards.ports.ts';
import type { RenderRequest } from './render.service.ts';

/** What a render answers, per panel. The same schema documents the API. */
export const seriesSchema = z.object({
  refId: z.string(),
  /** The legend: legendFormat applied, or Prometheus's `name{labels}`. */
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  /** [epoch ms, value]; null where Prometheus gave NaN or ±Inf (JSON has neither). */
  points: z.array(z.tuple([z.number(), z.number().nullable()])),
});
export type Series = z.infer<typeof seriesSchema>;

export const recordListSchema = z.object({
  refId: z.string(),
  source: z.enum(RECORD_KINDS),
  total: z.number(),
  items: z.array(z.record(z.string(), z.unknown())),
});
export type RecordList = z.infer<typeof recordListSchema>;

export const panelDataSchema = z.object({
  series: z.array(seriesSchema),
  records: z.array(recordListSchema),
  /** Text panels: the content with variables substituted. */
  content: z.string().optional(),
  /** Topology panels: the `/v1/topology` answer for the panel's target (range, filters, sources). */
  topology: topologyResponseSchema.optional(),
  /** Partial answers: clusters that failed, Prometheus warnings. */
  warnings: z.array(z.string()),
});
export type PanelData = z.infer<typeof panelDataSchema>;

export const panelErrorSchema = z.object({ code: z.string(), message: z.string() });

export const panelResultSchema = z.object({
  id: z.number(),
  title: z.string(),
  type: z.enum(PANEL_TYPES),
  data: panelDataSchema,
  error: panelErrorSchema.optional(),
});
export type PanelResult = z.infer<typeof panelResultSchema>;

/** Everything a target runner needs; the scope already holds the built-in $__interval and friends. */
export interface TargetContext {
  refId: string;
  scope: VariableScope;
  range: TimeRange;
  stepMs: number;
  metrics: () => Promise<MetricsPort>;
  records: () => Promise<RecordsPort>;
  /** The traces service, for topology targets; absent in a process without it. */
  topology?: (() => Promise<TopologyPort>) | undefined;
  /** query.maxRangeDays: records targets over a longer range are refused, as by the Query API. */
  maxRecordRangeMs: number;
  /** The caller's cluster/namespace scope, enforced on records queries and topologies. */
  principalScope: Scope;
  signal: AbortSignal;
  /** The render request's Cache-Control, passed to the query frontend with every query. */
  cacheControl?: CacheControl | undefined;
}

/** How the explanation of a panel whose PromQL targets all came back empty begins (PHAROS_ERR_NOT_FOUND). */
export const NO_DATA = 'no data: ';

/** What a target is run with besides the render's range and scope. */
export interface TargetPlan {
  refId: string;
  stepMs: number;
  /** The dashboard's variables and the built-ins for this target's step. */
  scope: VariableScope;
}

/** What every panel of one render shares. */
export interface PanelRun {
  scope: VariableScope;
  req: RenderRequest;
  signal: AbortSignal;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The query frontend's cache of derived values (panel-cache.ts); absent without the frontend. */
  cache?: DerivedCache | undefined;
}

export type TargetOutput = Pick<PanelData, 'series' | 'records' | 'warnings'> & { topology?: TopologyAnswer };
