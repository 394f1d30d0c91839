import { parseArgs } from 'node:util';
import { securityFor } from '../libs/auth/security.ts';
import { TokenAuthenticator, sha256Hex } from '../libs/auth/token-authenticator.ts';
import { ConfigError, loadConfig } from '../libs/config/config.loader.ts';
import { buildApp } from '../libs/http/app.ts';
import type { Feature } from '../libs/http/feature.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import { bootstrapAdminToken } from '../libs/runtime/bootstrap-token.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { SERVICES, SERVICE_NAMES, type ServiceName } from './registry.ts';

const USAGE = `usage: npm start -- [all|${SERVICE_NAMES.join('|')}] [--config <file>]`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return void console.log(USAGE);
  const which = positionals[0] ?? 'all';
  if (which !== 'all' && !SERVICE_NAMES.includes(which as ServiceName)) {
    console.error(`unknown service "${which}"\n${USAGE}`);
    process.exit(2);
  }
  const config = loadConfig({ file: values.config ?? process.env.PHAROS_CONFIG });
  const logger = createLogger(config.log.level);
  const authenticator = new TokenAuthenticator(config.auth.tokens);
  if (authenticator.size === 0) {
    const boot = bootstrapAdminToken(config.dataDir);
    authenticator.add('bootstrap-admin', sha256Hex(boot.token), 'admin');
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
    logger, metrics, features, bodyLimitBytes: config.server.bodyLimitBytes, limits: config.server,
    authenticator: security.authenticator, guards: { rateLimiter: security.rateLimiter, audit: security.audit },
  });
  for (const f of features) await f.start?.();
  await app.listen({ host: config.server.host, port: config.server.port });
  logger.info({ services: names, storage: config.storage.type, bus: config.bus.type }, 'pharos started');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight work');
    const timer = setTimeout(() => process.exit(1), 30_000).unref();
    await app.close();
    for (const f of [...features].reverse()) await f.stop?.().catch((err: unknown) => logger.error({ err, feature: f.name }, 'stop failed'));
    await security.audit.stop().catch(() => undefined);
    await resources.closeAll();
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  // A bad config prints every problem and no stack trace.
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err);
  process.exit(1);
});
