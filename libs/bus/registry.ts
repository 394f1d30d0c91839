import { join } from 'node:path';
import type { PharosConfig } from '../config/config.schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { Bus } from './bus.ts';
import { KafkaBus } from './kafka.bus.ts';
import { MemoryBus } from './memory.bus.ts';
import { SqliteBus } from './sqlite.bus.ts';

type BusSection = PharosConfig['bus'];

/** What a bus engine is built from besides its section: the process's logger and data directory. */
export interface BusDeps {
  logger: Logger;
  dataDir: string;
}

/** Bus engines keyed by `bus.type`; each takes its config section, never the whole service context. */
export const BUS_REGISTRY: Record<BusSection['type'], (c: BusSection, deps: BusDeps) => Bus> = {
  sqlite: (c, deps) => {
    if (c.type !== 'sqlite') throw new Error('unreachable: bus.type is not sqlite');
    return new SqliteBus({
      path: c.path ?? join(deps.dataDir, 'bus.db'),
      synchronous: c.synchronous,
      maxBacklogBytes: c.maxBacklogBytes,
    });
  },
  memory: () => new MemoryBus({ maxBacklog: 200_000 }),
  kafka: (c, deps) => {
    if (c.type !== 'kafka') throw new Error('unreachable: bus.type is not kafka');
    return new KafkaBus({
      brokers: c.brokers,
      clientId: c.clientId,
      partitions: c.partitions,
      replicationFactor: c.replicationFactor,
      logger: deps.logger,
    });
  },
};
