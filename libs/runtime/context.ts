import type { Registry } from 'prom-client';
import type { PharosConfig } from '../config/config.schema.ts';
import type { Logger } from '../logging/logger.ts';
import type { TokenAuthenticator } from '../auth/token-authenticator.ts';
import type { Resources } from './resources.ts';

/** What every service factory receives: explicit dependencies, no globals. */
export interface ServiceContext {
  config: Readonly<PharosConfig>;
  logger: Logger;
  metrics: Registry;
  authenticator: TokenAuthenticator;
  /** Shared, lazily created backends (store, bus, …), closed once at shutdown. */
  resources: Resources;
}
