import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  importSPKI,
  importX509,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
  type KeyObject,
} from 'jose';
import type { Role } from '../config/config.schema.ts';
import type { JwtConfig } from '../config/sections/auth.ts';
import type { Principal, Scope } from './principal.ts';

type VerifyKey = Uint8Array | KeyObject | CryptoKey | JWTVerifyGetKey;

/** Most privileged first: when a token lists several roles, the first known one here wins. */
const ROLE_ORDER: readonly Role[] = ['admin', 'editor', 'viewer', 'ingest'];

/** A compact JWS: three base64url parts (RFC 7515 §7.1). Cheap pre-check so API tokens skip jose. */
export const looksLikeJwt = (credential: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(credential);

/**
 * Verifies JWTs (HS256 with a shared secret, RS256 with a PEM key or a JWKS file) against the configured
 * issuer and audience, then maps claims to a principal:
 * - role: `rolesClaim` (string or list; the most privileged known role in the list is used);
 * - scope: `scopeClaim` = { clusters, namespaces }, each a list or a single string. A non-admin token
 *   without a scope claim is refused: a missing claim must not mean "everything". An empty list is a
 *   scope that grants nothing (refused on every API by the auth hook).
 * - name: `nameClaim` (default `sub`), prefixed `jwt:` so it cannot collide with an API token's name.
 */
export class JwtAuthenticator {
  private constructor(
    private readonly config: JwtConfig,
    private readonly key: VerifyKey,
  ) {}

  static async create(config: JwtConfig): Promise<JwtAuthenticator> {
    return new JwtAuthenticator(config, await loadKey(config));
  }

  async authenticate(credential: string): Promise<Principal | undefined> {
    if (!looksLikeJwt(credential)) return undefined;
    let payload: JWTPayload;
    try {
      // jose checks signature, alg allow-list, exp/nbf (with tolerance), iss and aud.
      const verified = await jwtVerify(credential, this.key as Uint8Array, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        clockTolerance: this.config.clockToleranceSec,
      });
      payload = verified.payload;
    } catch {
      return undefined;
    }
    return principalFromClaims(payload, this.config);
  }
}

export function principalFromClaims(
  payload: JWTPayload,
  config: Pick<JwtConfig, 'rolesClaim' | 'scopeClaim' | 'nameClaim'>,
): Principal | undefined {
  const role = pickRole(payload[config.rolesClaim]);
  const subject = payload[config.nameClaim];
  if (!role || typeof subject !== 'string' || subject === '') return undefined;
  const scope = readScope(payload[config.scopeClaim]);
  if (!scope && role !== 'admin') return undefined;
  const full: Scope = { clusters: ['*'], namespaces: ['*'] };
  return Object.freeze({ name: `jwt:${subject}`, role, scope: Object.freeze(scope ?? full), via: 'jwt' as const });
}

function pickRole(claim: unknown): Role | undefined {
  const values =
    typeof claim === 'string'
      ? [claim]
      : Array.isArray(claim)
        ? claim.filter((v): v is string => typeof v === 'string')
        : [];
  return ROLE_ORDER.find((r) => values.includes(r));
}

function readScope(claim: unknown): Scope | undefined {
  if (!claim || typeof claim !== 'object' || Array.isArray(claim)) return undefined;
  const c = claim as Record<string, unknown>;
  const clusters = stringList(c.clusters);
  const namespaces = stringList(c.namespaces);
  if (!clusters || !namespaces) return undefined;
  return { clusters: Object.freeze(clusters), namespaces: Object.freeze(namespaces) };
}

function stringList(v: unknown): string[] | undefined {
  if (typeof v === 'string' && v !== '') return [v];
  // An empty list is kept: it grants nothing (libs/tenancy/empty-scope.ts), for an admin token too.
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x !== '')) return v as string[];
  return undefined;
}

async function loadKey(config: JwtConfig): Promise<VerifyKey> {
  if (config.secret) return new TextEncoder().encode(config.secret);
  if (config.secretFile) return new TextEncoder().encode(readFileSync(config.secretFile, 'utf8').trim());
  if (config.jwksFile) return createLocalJWKSet(JSON.parse(readFileSync(config.jwksFile, 'utf8')));
  const pem = readFileSync(config.publicKeyFile as string, 'utf8');
  return pem.includes('BEGIN CERTIFICATE') ? importX509(pem, 'RS256') : importSPKI(pem, 'RS256');
}
