import type { PharosConfig } from '../config/config.schema.ts';
import { PharosError } from '../errors/errors.ts';
import type { ServiceContext } from '../runtime/context.ts';
import type { Bus } from './bus.ts';

/** Bus engines keyed by `bus.type`. */
export const BUS_REGISTRY: Record<PharosConfig["bus"]['type'], (ctx: ServiceContext) => Bus> = {
  memory: () => {
    throw new PharosError('PHAROS_ERR_INTERNAL', 'memory bus not implemented yet');
  },
  kafka: () => {
    throw new PharosError('PHAROS_ERR_INTERNAL', 'kafka bus not implemented yet');
  },
};
