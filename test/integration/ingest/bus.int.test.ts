import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe } from 'vitest';
import type { Bus } from '../../../libs/bus/bus.ts';
import { busContract } from '../../../libs/bus/bus.contract.ts';
import { KafkaBus } from '../../../libs/bus/kafka.bus.ts';
import { MemoryBus } from '../../../libs/bus/memory.bus.ts';
import { SqliteBus } from '../../../libs/bus/sqlite.bus.ts';

const run = Date.now().toString(36);
const dir = mkdtempSync(join(tmpdir(), 'pharos-bus-it-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const engines: [string, () => Bus][] = [
  ['sqlite (the embedded default, durable)', () => new SqliteBus({ path: join(dir, 'bus.db'), redeliveryDelayMs: 50 })],
  ['memory', () => new MemoryBus({ redeliveryDelayMs: 50 })],
  [
    'kafka',
    () =>
      new KafkaBus({
        brokers: ['127.0.0.1:9092'],
        clientId: `pharos-it-${run}`,
        partitions: 4,
        replicationFactor: 1,
        logger: pino({ level: 'warn' }),
      }),
  ],
];

describe.each(engines)('bus contract: %s', (name, create) => {
  const bus = create();
  let n = 0;
  afterAll(() => bus.close());
  busContract(async () => ({ bus, topic: `pharos-it-${run}.${name.split(' ')[0]}.t${n++}` }));
});
