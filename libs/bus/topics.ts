import type { PharosConfig } from '../config/config.schema.ts';
import type { RecordKind } from '../schemas/records.ts';

/** Topic names: `<bus.topicPrefix>.<kind>` per record kind, and one `<prefix>.deadletter`. */
export interface Topics {
  kind(kind: RecordKind): string;
  deadLetter: string;
}

export function topicsFor(bus: PharosConfig['bus']): Topics {
  const prefix = bus.type === 'kafka' ? bus.topicPrefix : 'pharos';
  return { kind: (kind) => `${prefix}.${kind}`, deadLetter: `${prefix}.deadletter` };
}

/** Headers every record message carries, so a consumer can route or count without parsing the value. */
export const HEADER = { cluster: 'pharos-cluster', kind: 'pharos-kind' } as const;
