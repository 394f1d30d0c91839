import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TokenAuthenticator } from '../libs/auth/token-authenticator.ts';
import { loadConfig } from '../libs/config/config.loader.ts';
import { buildApp } from '../libs/http/app.ts';
import type { Feature } from '../libs/http/feature.ts';
import { createLogger } from '../libs/logging/logger.ts';
import { createMetricsRegistry } from '../libs/metrics/metrics.ts';
import { Resources } from '../libs/runtime/resources.ts';
import { SERVICES, SERVICE_NAMES } from '../services/registry.ts';

/**
 * The OpenAPI document of the whole API, generated from the route schemas of every service (the all-in-one
 * process), so it cannot drift from the code. `npm run openapi` writes docs/openapi.json; openapi.test.ts
 * fails when the committed file differs from what the code generates.
 */
export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

export async function generateOpenApi(): Promise<string> {
  // Defaults only (embedded SQLite in a throwaway folder): the document depends on routes, not on config.
  const dataDir = mkdtempSync(join(tmpdir(), 'pharos-openapi-'));
  const config = loadConfig({
    env: {
      PHAROS_DATA_DIR: dataDir,
      PHAROS_STORAGE: JSON.stringify({ type: 'sqlite', path: join(dataDir, 'pharos.db') }),
    },
  });
  const logger = createLogger('silent');
  const metrics = createMetricsRegistry();
  const authenticator = new TokenAuthenticator([]);
  const resources = new Resources();
  const ctx = { config, logger, metrics, authenticator, resources };
  const features: Feature[] = [];
  for (const name of SERVICE_NAMES) features.push(...(await SERVICES[name](ctx)));
  const app = await buildApp({ logger, metrics, authenticator, features });
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
    await resources.closeAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(OPENAPI_FILE, await generateOpenApi());
  console.log(`wrote ${OPENAPI_FILE}`);
}
