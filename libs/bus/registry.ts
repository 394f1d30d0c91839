import { join } from 'node:path';
import type { PharosConfig } from '../config/config.schema.ts';
import type { ServiceContext } from '../runtime/context.ts';
import type { Bus } from './bus.ts';
import { KafkaBus } from './kafka.bus.ts';
import { MemoryBus } from './memory.bus.ts';
import { SqliteBus } from './sqlite.bus.ts';

/** Bus engines keyed by `bus.type`. */
export const BUS_REGISTRY: Record<PharosConfig['bus']['type'], (ctx: ServiceContext) => Bus> = {
  sqlite: (ctx) => {
    const c = ctx.config.bus;
    if (c.type !== 'sqlite') throw new Error('unreachable: bus.type is not sqlite');
    return new SqliteBus({
      path: c.path ?? join(ctx.config.dataDir, 'bus.db'),
      synchronous: c.synchronous,
      maxBacklogBytes: c.maxBacklogBytes,
    });
  },
  memory: () => new MemoryBus({ maxBacklog: 200_000 }),
  kafka: (ctx) => {
    const c = ctx.config.bus;
    if (c.type !== 'kafka') throw new Error('unreachable: bus.type is not kafka');
    return new KafkaBus({
      brokers: c.brokers,
      clientId: c.clientId,
      partitions: c.partitions,
      replicationFactor: c.replicationFactor,
      logger: ctx.logger,
    });
  },
};
