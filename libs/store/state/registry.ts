import type { PharosConfig } from '../../config/config.schema.ts';
import { PharosError } from '../../errors/errors.ts';
import type { ServiceContext } from '../../runtime/context.ts';
import type { StateStore } from '../state-store.ts';

/** State store engines keyed by `storage.type`. */
export const STATE_STORE_REGISTRY: Record<PharosConfig['storage']['type'], (ctx: ServiceContext) => StateStore> = {
  sqlite: () => {
    throw new PharosError('PHAROS_ERR_INTERNAL', 'sqlite state store not implemented yet');
  },
  opensearch: () => {
    throw new PharosError('PHAROS_ERR_INTERNAL', 'opensearch state store not implemented yet');
  },
};
