import { parseArgs } from 'node:util';
import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { topicsFor } from '../libs/bus/topics.ts';
import { ConfigError, loadConfig } from '../libs/config/config.loader.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import { getBus } from '../libs/runtime/backends.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { deadLetterKindSchema, replayDeadLetters } from '../services/indexer/dead-letter.ts';

const USAGE = 'usage: npm run replay-deadletter -- --config <file> [--kind audit|events|logs|spans]...';

/**
 * Puts dead-lettered records and spans back on their topics for the indexers to try again (after fixing the cause),
 * and exits once the dead-letter topic is read to its end. Progress is a consumer group
 * (`<bus.clientId>-deadletter-replay`, or `pharos-deadletter-replay` on the sqlite bus), so running it twice
 * does not replay the same letters twice.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      kind: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const bad = values.kind?.filter((k) => !deadLetterKindSchema.safeParse(k).success) ?? [];
  if (bad.length) {
    console.error(`unknown kind(s): ${bad.join(', ')}\n${USAGE}`);
    process.exit(2);
  }
  const kinds = values.kind?.map((k) => deadLetterKindSchema.parse(k));
  const config = loadConfig({ file: values.config ?? process.env.PHAROS_CONFIG });
  const logger = createLogger(config.log.level);
  const resources = new Resources();
  const ctx = {
    config,
    logger,
    metrics: createMetricsRegistry(),
    authenticator: new TokenAuthenticator(config.auth.tokens),
    resources,
  };
  if (config.bus.type === 'memory') {
    console.error(
      'bus.type is memory: dead letters live inside the running process; replay needs the sqlite or the Kafka bus',
    );
    process.exit(2);
  }
  try {
    // On the sqlite bus this process appends to the same file as the running Pharos, whose indexer reads it.
    const clientId = config.bus.type === 'kafka' ? config.bus.clientId : 'pharos';
    const result = await replayDeadLetters({
      bus: await getBus(ctx),
      topics: topicsFor(config.bus),
      logger,
      groupId: `${clientId}-deadletter-replay`,
      ...(kinds ? { kinds } : {}),
    });
    console.log(`replayed ${result.replayed} record(s), skipped ${result.skipped}`);
  } finally {
    await resources.closeAll();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
