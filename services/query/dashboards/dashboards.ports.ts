import type { FederatedQueryService } from '../../../libs/federation/federation.types.ts';
import type { RecordKind } from '../../../libs/schemas/records.ts';
import type { SearchPage } from '../../../libs/store/record-store.ts';
import type { TracesService } from '../traces/traces.service.ts';

/**
 * What rendering needs from the outside, narrowed to the calls it makes, so unit tests pass fakes and the
 * feature wires the real federation and record store.
 */
export type MetricsPort = Pick<
  FederatedQueryService,
  'instant' | 'range' | 'labelValues' | 'clusters' | 'derivedCache'
>;

export interface RecordsQuery {
  /** Query API filter names → accepted values (OR within a name, AND across names). */
  filters: Record<string, string[]>;
  /** The Query API's search text, unparsed. */
  q?: string;
  /** Epoch ms, inclusive start / exclusive end. */
  start: number;
  end: number;
  size: number;
}

export interface RecordsPort {
  search(kind: RecordKind, query: RecordsQuery, signal?: AbortSignal): Promise<SearchPage>;
}

/** Topology panels read the traces service's `/v1/topology` answer, under the caller's scope. */
export type TopologyPort = Pick<TracesService, 'topology'>;
