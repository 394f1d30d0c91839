import { describe, expect, it } from 'vitest';
import { roleAllows, scopeAllows } from './principal.ts';
import { TokenAuthenticator, credentialFromHeader, sha256Hex } from './token-authenticator.ts';

describe('TokenAuthenticator', () => {
  const auth = new TokenAuthenticator([
    { name: 'ops', token: 'ops-token-0123456789', role: 'admin' },
    {
      name: 'team',
      tokenSha256: sha256Hex('team-token-0123456789'),
      role: 'viewer',
      scope: { clusters: ['east'], namespaces: ['payments'] },
    },
  ]);

  it('accepts clear and hashed tokens, rejects others', () => {
    expect(auth.authenticate('ops-token-0123456789')?.role).toBe('admin');
    expect(auth.authenticate('team-token-0123456789')?.scope.namespaces).toEqual(['payments']);
    expect(auth.authenticate('nope')).toBeUndefined();
  });

  it('reads Bearer and Basic credentials', () => {
    expect(credentialFromHeader('Bearer abc')).toBe('abc');
    expect(credentialFromHeader(`Basic ${Buffer.from('user:tok').toString('base64')}`)).toBe('tok');
    expect(credentialFromHeader(`ApiKey ${Buffer.from('filebeat:tok').toString('base64')}`)).toBe('tok');
    expect(credentialFromHeader('Digest x')).toBeUndefined();
    expect(credentialFromHeader(undefined)).toBeUndefined();
  });

  it('checks roles and scopes', () => {
    expect(roleAllows('admin', 'ingest')).toBe(true);
    expect(roleAllows('viewer', 'ingest')).toBe(false);
    expect(roleAllows('ingest', 'viewer')).toBe(false);
    expect(roleAllows('editor', 'viewer')).toBe(true);
    expect(scopeAllows({ clusters: ['east'], namespaces: ['*'] }, 'east', undefined)).toBe(true);
    expect(scopeAllows({ clusters: ['*'], namespaces: ['payments'] }, 'west', undefined)).toBe(false);
  });
});
