import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtConfigSchema } from '../config/sections/auth.ts';
import { JwtAuthenticator, looksLikeJwt } from './jwt-authenticator.ts';

const SECRET = 'a-shared-secret-of-at-least-32-characters!';
const base = { issuer: 'https://idp.example', audience: 'pharos' };
const claims = { pharos_role: 'viewer', pharos_scope: { clusters: ['east'], namespaces: ['payments'] } };

function sign(
  payload: Record<string, unknown>,
  key: Uint8Array | CryptoKey,
  opts: { alg?: string; iss?: string; aud?: string; exp?: string; kid?: string } = {},
) {
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', ...(opts.kid ? { kid: opts.kid } : {}) })
    .setIssuer(opts.iss ?? base.issuer)
    .setAudience(opts.aud ?? base.audience)
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m');
  return jwt.sign(key);
}

describe('JwtAuthenticator', () => {
  const hsKey = new TextEncoder().encode(SECRET);
  const hs = JwtAuthenticator.create(jwtConfigSchema.parse({ ...base, algorithms: ['HS256'], secret: SECRET }));

  it('maps role, scope and subject from an HS256 token', async () => {
    const p = await (await hs).authenticate(await sign(claims, hsKey));
    expect(p).toEqual({
      name: 'jwt:alice',
      role: 'viewer',
      scope: { clusters: ['east'], namespaces: ['payments'] },
      via: 'jwt',
    });
  });

  it('refuses wrong issuer, audience, expired, wrong key, alg none and non-JWTs', async () => {
    const a = await hs;
    expect(await a.authenticate(await sign(claims, hsKey, { iss: 'https://evil' }))).toBeUndefined();
    expect(await a.authenticate(await sign(claims, hsKey, { aud: 'other' }))).toBeUndefined();
    expect(await a.authenticate(await sign(claims, hsKey, { exp: '-10m' }))).toBeUndefined();
    expect(await a.authenticate(await sign(claims, new TextEncoder().encode('x'.repeat(40))))).toBeUndefined();
    const [, body] = (await sign(claims, hsKey)).split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${body}.`;
    expect(await a.authenticate(none)).toBeUndefined();
    expect(await a.authenticate('pharos_plain-api-token')).toBeUndefined();
    expect(looksLikeJwt('a.b.c')).toBe(true);
  });

  it('refuses a non-admin token without a scope, or without a known role; admin defaults to everything', async () => {
    const a = await hs;
    expect(await a.authenticate(await sign({ pharos_role: 'viewer' }, hsKey))).toBeUndefined();
    expect(
      await a.authenticate(await sign({ pharos_role: 'root', pharos_scope: claims.pharos_scope }, hsKey)),
    ).toBeUndefined();
    expect((await a.authenticate(await sign({ pharos_role: ['viewer', 'admin'] }, hsKey)))?.scope).toEqual({
      clusters: ['*'],
      namespaces: ['*'],
    });
    const one = await a.authenticate(
      await sign({ pharos_role: 'editor', pharos_scope: { clusters: '*', namespaces: 'shop' } }, hsKey),
    );
    expect(one?.scope).toEqual({ clusters: ['*'], namespaces: ['shop'] });
    // An empty list stays empty, for an admin too: it grants nothing, never "everything".
    const none = await a.authenticate(
      await sign({ pharos_role: 'admin', pharos_scope: { clusters: ['east'], namespaces: [] } }, hsKey),
    );
    expect(none?.scope).toEqual({ clusters: ['east'], namespaces: [] });
  });

  it('verifies RS256 with a PEM public key and with a JWKS file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-jwt-'));
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    writeFileSync(join(dir, 'pub.pem'), await exportSPKI(publicKey));
    writeFileSync(
      join(dir, 'jwks.json'),
      JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] }),
    );
    const pem = await JwtAuthenticator.create(jwtConfigSchema.parse({ ...base, publicKeyFile: join(dir, 'pub.pem') }));
    const jwks = await JwtAuthenticator.create(jwtConfigSchema.parse({ ...base, jwksFile: join(dir, 'jwks.json') }));
    const token = await sign(claims, privateKey, { alg: 'RS256', kid: 'k1' });
    expect((await pem.authenticate(token))?.role).toBe('viewer');
    expect((await jwks.authenticate(token))?.name).toBe('jwt:alice');
    // An HS256 token signed with the public key as secret (alg confusion) must fail.
    expect(
      await pem.authenticate(await sign(claims, new TextEncoder().encode(await exportSPKI(publicKey)))),
    ).toBeUndefined();
  });

  it('config: exactly one key source, matching the algorithms', () => {
    expect(jwtConfigSchema.safeParse({ ...base }).success).toBe(false);
    expect(jwtConfigSchema.safeParse({ ...base, secret: SECRET }).success).toBe(false);
    expect(jwtConfigSchema.safeParse({ ...base, algorithms: ['HS256'], secret: SECRET, jwksFile: 'x' }).success).toBe(
      false,
    );
  });
});
