import type { PharosConfig } from '../config/config.schema.ts';
import { PharosError } from '../errors/errors.ts';
import type { ServiceContext } from '../runtime/context.ts';
import type { RecordStore } from './record-store.ts';

/** Record store engines keyed by `storage.type`. */
export const RECORD_STORE_REGISTRY: Record<PharosConfig['storage']['type'], (ctx: ServiceContext) => RecordStore> = {
  sqlite: () => {
    throw new PharosError('PHAROS_ERR_INTERNAL', 'sqlite record store not implemented yet');
  },
  opensearch: () => {
    throw new PharosError('PHAROS_ERR_INTERNAL', 'opensearch record store not implemented yet');
  },
};
