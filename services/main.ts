import { parseArgs } from 'node:util';
import { securityFor } from '../libs/runtime/security.ts';
import { TokenAuthenticator, sha256Hex } from '../libs/auth/token-authenticator.ts';
import { ConfigError, loadConfig } from '../libs/config/config.loader.ts';
import { buildApp } from '../libs/http/app.ts';
import type { Feature } from '../libs/http/feature.ts';
import { createLogger, type Logger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import { bootstrapAdminToken } from '../libs/runtime/bootstrap-token.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { SERVICES, SERVICE_NAMES, type ServiceName } from './registry.ts';

const USAGE = `usage: npm start -- [all|${SERVICE_NAMES.join('|')}] [--config <file>]`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return void console.log(USAGE);
  const which = positionals[0] ?? 'all';
  if (which !== 'all' && !SERVICE_NAMES.includes(which as ServiceName)) {
    console.error(`unknown service "${which}"\n${USAGE}`);
    process.exit(2);
  }
  const config = loadConfig({ file: values.config ?? process.env.PHAROS_CONFIG });
  const logger = createLogger(config.log.level);
  const stop = onStopSignals(logger, config.shutdown.graceMs);
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  if (authenticator.size === 0) {
    const boot = bootstrapAdminToken(config.dataDir);
    authenticator.add({ name: 'bootstrap-admin', tokenSha256: sha256Hex(boot.token), role: 'admin' });
    logger.warn({ file: boot.file }, 'no auth.tokens configured: using the generated admin token');
    console.log(`\nPharos admin token (stored in ${boot.file}):\n  ${boot.token}\n`);
  }
  const metrics = createMetricsRegistry();
  const resources = new Resources();
  const ctx = { config, logger, metrics, authenticator, resources };
  const names = which === 'all' ? SERVICE_NAMES : [which as ServiceName];
  const features: Feature[] = [];
  for (const name of names) features.push(...(await SERVICES[name](ctx)));

  const security = await securityFor(ctx);
  const app = await buildApp({
    logger,
    metrics,
    features,
    bodyLimitBytes: config.server.bodyLimitBytes,
    limits: config.server,
    authenticator: security.authenticator,
    guards: { rateLimiter: security.rateLimiter, audit: security.audit },
  });
  for (const f of features) await f.start?.();
  await app.listen({ host: config.server.host, port: config.server.port });
  logger.info({ services: names, storage: config.storage.type, bus: config.bus.type }, 'pharos started');

  stop.ready(async () => {
    await app.close();
    for (const f of [...features].reverse())
      await f.stop?.().catch((err: unknown) => logger.error({ err, feature: f.name }, 'stop failed'));
    await security.audit.stop().catch(() => undefined);
    await resources.closeAll();
  });
}

/**
 * SIGTERM/SIGINT stop Pharos gracefully: no new requests, the ones in flight answered, the batches in hand
 * committed, then exit 0. Bounded by shutdown.graceMs: what is unfinished then was not acknowledged
 * (requests) or not committed (bus batches), so senders retry and the durable bus hands it to the indexer
 * again after the next start. Listening from the start: a signal during startup stops Pharos once it is up
 * (or when the grace period ends), instead of Node's default of dying at once.
 */
function onStopSignals(logger: Logger, graceMs: number): { ready(drain: () => Promise<void>): void } {
  let signal: string | undefined;
  let drain: (() => Promise<void>) | undefined;
  const run = async () => {
    if (!signal || !drain) return;
    const work = drain;
    drain = undefined;
    try {
      await work();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  const on = (name: string) => {
    if (signal) return;
    signal = name;
    logger.info({ signal, graceMs }, 'shutting down: draining in-flight work');
    setTimeout(() => {
      logger.error({ graceMs }, 'shutdown.graceMs passed with work unfinished: exiting anyway');
      process.exit(1);
    }, graceMs).unref();
    void run();
  };
  process.on('SIGTERM', () => on('SIGTERM'));
  process.on('SIGINT', () => on('SIGINT'));
  return {
    ready(d) {
      drain = d;
      void run();
    },
  };
}

main().catch((err: unknown) => {
  // A bad config prints every problem and no stack trace.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
