import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../libs/config/config.loader.ts';
import type { PharosConfig } from '../../libs/config/config.schema.ts';

/**
 * The image's HEALTHCHECK: GET /healthz on the port the service really listens on, read from the same
 * config (file named by PHAROS_CONFIG, plus PHAROS_* overrides) the service loaded. Exit 0 when healthy.
 */
export function healthUrl(server: Pick<PharosConfig['server'], 'host' | 'port'>): string {
  // A wildcard bind address is not a destination; the check runs inside the container.
  const host = ['0.0.0.0', '::', ''].includes(server.host) ? '127.0.0.1' : server.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${server.port}/healthz`;
}

export async function checkHealth(url: string, timeoutMs = 4_000): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok;
  } catch {
    return false;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadConfig({ file: process.env.PHAROS_CONFIG });
  process.exit((await checkHealth(healthUrl(config.server))) ? 0 : 1);
}
