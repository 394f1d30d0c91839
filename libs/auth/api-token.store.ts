import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { roleSchema } from '../config/config.schema.ts';
import { ConflictError, NotFoundError } from '../errors/errors.ts';
import type { StateStore } from '../store/state-store.ts';
import type { Principal } from './principal.ts';
import { sha256Hex } from './token-authenticator.ts';

export const API_TOKEN_COLLECTION = 'api-tokens';

/** `pharos_` and 32 random bytes in base64url: the shape of every token this store creates. */
const RUNTIME_TOKEN = /^pharos_[A-Za-z0-9_-]{43}$/;

export const tokenScopeSchema = z
  .object({
    clusters: z.array(z.string().min(1).max(253)).min(1).max(100).default(['*']),
    namespaces: z.array(z.string().min(1).max(253)).min(1).max(500).default(['*']),
  })
  .strict();

/** What is stored per runtime token: never the token itself, only its SHA-256. */
export const storedTokenSchema = z.object({
  name: z.string(),
  role: roleSchema,
  scope: tokenScopeSchema,
  sha256: z.string(),
  createdAt: z.number(),
  createdBy: z.string(),
  expiresAt: z.number().optional(),
});
export type StoredToken = z.infer<typeof storedTokenSchema>;

export interface NewToken {
  name: string;
  role: Principal['role'];
  scope: { clusters: string[]; namespaces: string[] };
  expiresAt?: number | undefined;
}

/** A token record as listed: no secret and no hash. */
export type TokenInfo = Omit<StoredToken, 'sha256'> & { id: string };

/**
 * Tokens created at runtime through the admin API, kept in the state store so every Pharos process
 * (collector, query …) sees them. Lookups are by hash and cached for `cacheTtlMs` (hits and misses), so
 * a request costs no store round trip; a revocation is immediate in the process that made it and takes at
 * most `cacheTtlMs` elsewhere.
 */
export class ApiTokenStore {
  private readonly cache = new Map<string, { principal: Principal | undefined; until: number }>();

  constructor(
    private readonly store: () => Promise<StateStore>,
    private readonly options: { cacheTtlMs?: number; now?: () => number; maxCache?: number } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async create(input: NewToken, createdBy: string): Promise<{ token: string; info: TokenInfo }> {
    const store = await this.store();
    const existing = await store.list<StoredToken>(API_TOKEN_COLLECTION, { where: { name: input.name }, limit: 1 });
    if (existing.items.length)
      throw new ConflictError(`a token named "${input.name}" already exists: revoke it first or pick another name`);
    const token = `pharos_${randomBytes(32).toString('base64url')}`;
    const id = `tok_${randomBytes(9).toString('base64url')}`;
    const value: StoredToken = {
      name: input.name,
      role: input.role,
      scope: input.scope,
      sha256: sha256Hex(token),
      createdAt: this.now(),
      createdBy,
      ...(input.expiresAt !== undefined ? { expiresAt: input.expiresAt } : {}),
    };
    await store.put(API_TOKEN_COLLECTION, { id, value, expectedVersion: 0 });
    this.cache.clear();
    return { token, info: toInfo(id, value) };
  }

  async list(options: {
    limit: number;
    after?: string | undefined;
  }): Promise<{ items: TokenInfo[]; next: string | null }> {
    const page = await (await this.store()).list<StoredToken>(API_TOKEN_COLLECTION, options);
    return { items: page.items.map((d) => toInfo(d.id, d.value)), next: page.next };
  }

  async revoke(id: string): Promise<TokenInfo> {
    const store = await this.store();
    const doc = await store.get<StoredToken>(API_TOKEN_COLLECTION, id);
    if (!doc) throw new NotFoundError(`no token with id "${id}"`);
    await store.delete(API_TOKEN_COLLECTION, id);
    this.cache.clear();
    return toInfo(id, doc.value);
  }

  async authenticate(credential: string): Promise<Principal | undefined> {
    // Only something shaped like a token this store issued costs a lookup: random credentials never reach the store.
    if (!RUNTIME_TOKEN.test(credential)) return undefined;
    const hash = sha256Hex(credential);
    const hit = this.cache.get(hash);
    if (hit && hit.until > this.now()) return hit.principal;
    const store = await this.store();
    const found = await store.list<StoredToken>(API_TOKEN_COLLECTION, { where: { sha256: hash }, limit: 1 });
    const doc = found.items[0]?.value;
    const live = doc && (doc.expiresAt === undefined || doc.expiresAt > this.now());
    const principal = live
      ? Object.freeze({ name: doc.name, role: doc.role, scope: Object.freeze({ ...doc.scope }), via: 'token' as const })
      : undefined;
    this.remember(hash, principal);
    return principal;
  }

  private remember(hash: string, principal: Principal | undefined): void {
    // Bounded: a flood of random credentials must not grow memory without limit.
    if (this.cache.size >= (this.options.maxCache ?? 10_000)) this.cache.clear();
    this.cache.set(hash, { principal, until: this.now() + (this.options.cacheTtlMs ?? 5_000) });
  }
}

function toInfo(id: string, v: StoredToken): TokenInfo {
  const { sha256: _hash, ...rest } = v;
  return { id, ...rest };
}
