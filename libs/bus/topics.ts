import type { PharosConfig } from '../config/config.schema.ts';
import type { RecordKind } from '../schemas/records.ts';

/**
 * Topic names: `<bus.topicPrefix>.<kind>` per record kind, `<prefix>.spans` (traces), and one `<prefix>.deadletter`.
 */
export interface Topics {
  kind(kind: RecordKind): string;
  spans: string;
  deadLetter: string;
}

export function topicsFor(bus: PharosConfig['bus']): Topics {
  const prefix = bus.type === 'kafka' ? bus.topicPrefix : 'pharos';
  return { kind: (kind) => `${prefix}.${kind}`, spans: `${prefix}.spans`, deadLetter: `${prefix}.deadletter` };
}

/** Headers every record message carries, so a consumer can route or count without parsing the value. */
export const HEADER = { cluster: 'pharos-cluster', kind: 'pharos-kind' } as const;
