import type { Principal } from './principal.ts';

/** Anything that turns a presented credential into a principal (API tokens, runtime tokens, JWT). */
export interface CredentialSource {
  authenticate(credential: string): Principal | undefined | Promise<Principal | undefined>;
}

/**
 * Tries each source in order and returns the first principal: configured API tokens first (a hash
 * compare in memory), then runtime tokens, then JWT. A credential over `maxLength` is refused before any
 * work, so a huge header cannot cost a hash or a signature check.
 */
export class ChainAuthenticator {
  constructor(
    private readonly sources: readonly CredentialSource[],
    private readonly maxLength = 8192,
  ) {}

  async authenticate(credential: string): Promise<Principal | undefined> {
    if (credential.length === 0 || credential.length > this.maxLength) return undefined;
    for (const source of this.sources) {
      const principal = await source.authenticate(credential);
      if (principal) return principal;
    }
    return undefined;
  }
}
