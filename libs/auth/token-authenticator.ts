import { createHash, timingSafeEqual } from 'node:crypto';
import type { TokenConfig } from '../config/config.schema.ts';
import { FULL_SCOPE, type Principal } from './principal.ts';

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

interface StoredToken {
  hash: Buffer;
  principal: Principal;
}

/** A token to accept: `tokenSha256` is its SHA-256 in hex; `scope` absent means every cluster and namespace. */
export interface TokenGrant {
  name: string;
  tokenSha256: string;
  role: Principal['role'];
  scope?: { clusters: string[]; namespaces: string[] } | undefined;
}

/**
 * API tokens, held only as SHA-256 hashes (a token given in clear in the config is hashed at boot), and
 * compared in constant time.
 */
export class TokenAuthenticator {
  private tokens: StoredToken[] = [];

  constructor(configured: readonly TokenConfig[]) {
    for (const t of configured)
      this.add({ name: t.name, tokenSha256: t.tokenSha256 ?? sha256Hex(t.token ?? ''), role: t.role, scope: t.scope });
  }

  /** Adds (or replaces, by name) a token known by its SHA-256 in hex. */
  add({ name, tokenSha256, role, scope }: TokenGrant): void {
    this.tokens = this.tokens.filter((t) => t.principal.name !== name);
    this.tokens.push({
      hash: Buffer.from(tokenSha256, 'hex'),
      principal: Object.freeze({
        name,
        role,
        scope: scope ? Object.freeze({ ...scope }) : FULL_SCOPE,
        via: 'token' as const,
      }),
    });
  }

  remove(name: string): boolean {
    const before = this.tokens.length;
    this.tokens = this.tokens.filter((t) => t.principal.name !== name);
    return this.tokens.length !== before;
  }

  /** Whether a token of this name is configured (runtime tokens may not reuse a configured name). */
  has(name: string): boolean {
    return this.tokens.some((t) => t.principal.name === name);
  }

  get size(): number {
    return this.tokens.length;
  }

  authenticate(token: string): Principal | undefined {
    const hash = createHash('sha256').update(token).digest();
    let found: Principal | undefined;
    for (const t of this.tokens) if (timingSafeEqual(t.hash, hash)) found = t.principal;
    return found;
  }
}

/**
 * Reads credentials from an Authorization header: `Bearer <token>`, or HTTP Basic with the token as the
 * password (promtool can only send Basic credentials taken from the URL), or Elasticsearch's
 * `ApiKey base64(id:key)` with the token as the key (Filebeat's and Logstash's `api_key`).
 */
export function credentialFromHeader(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  if (scheme.toLowerCase() === 'apikey') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : undefined;
  }
  return undefined;
}
