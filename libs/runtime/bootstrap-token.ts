import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * With no token configured, a first run needs nothing else: an admin token is generated once, stored
 * (mode 0600) in the data folder and printed, so the same token works after a restart.
 */
export function bootstrapAdminToken(dataDir: string): { token: string; file: string; created: boolean } {
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), file, created: false };
  mkdirSync(dataDir, { recursive: true });
  const token = `pharos_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file, created: true };
}
