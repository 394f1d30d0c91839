import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../store/state/sqlite-state.store.ts';
import { API_TOKEN_COLLECTION, ApiTokenStore } from './api-token.store.ts';
import { sha256Hex } from './token-authenticator.ts';

async function setup() {
  const state = new SqliteStateStore(':memory:');
  await state.init();
  let now = 1_700_000_000_000;
  const tokens = new ApiTokenStore(async () => state, { now: () => now, cacheTtlMs: 1000 });
  return { state, tokens, advance: (ms: number) => (now += ms) };
}

describe('ApiTokenStore', () => {
  it('creates a token shown once, stores only its sha256, authenticates and revokes it', async () => {
    const { state, tokens } = await setup();
    const { token, info } = await tokens.create(
      { name: 'team-a', role: 'viewer', scope: { clusters: ['east'], namespaces: ['payments'] } },
      'ops',
    );
    expect(token).toMatch(/^pharos_/);
    const stored = await state.get<Record<string, unknown>>(API_TOKEN_COLLECTION, info.id);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored?.value.sha256).toBe(sha256Hex(token));
    expect(await tokens.authenticate(token)).toMatchObject({
      name: 'team-a',
      role: 'viewer',
      scope: { namespaces: ['payments'] },
    });
    expect((await tokens.list({ limit: 10 })).items).toEqual([
      expect.not.objectContaining({ sha256: expect.anything() }),
    ]);
    await expect(
      tokens.create({ name: 'team-a', role: 'admin', scope: { clusters: ['*'], namespaces: ['*'] } }, 'ops'),
    ).rejects.toMatchObject({ code: 'PHAROS_ERR_CONFLICT' });
    await tokens.revoke(info.id);
    expect(await tokens.authenticate(token)).toBeUndefined();
    await expect(tokens.revoke(info.id)).rejects.toMatchObject({ code: 'PHAROS_ERR_NOT_FOUND' });
  });

  it('expires tokens and sees tokens revoked by another process after the cache ttl', async () => {
    const { state, tokens, advance } = await setup();
    const other = new ApiTokenStore(async () => state, { cacheTtlMs: 1000 });
    const { token, info } = await tokens.create(
      { name: 't', role: 'viewer', scope: { clusters: ['*'], namespaces: ['*'] }, expiresAt: 1_700_000_060_000 },
      'ops',
    );
    expect(await tokens.authenticate(token)).toBeDefined();
    await other.revoke(info.id);
    expect(await tokens.authenticate(token)).toBeDefined();
    advance(1001);
    expect(await tokens.authenticate(token)).toBeUndefined();
    const second = await tokens.create(
      { name: 'u', role: 'viewer', scope: { clusters: ['*'], namespaces: ['*'] }, expiresAt: 1_700_000_070_000 },
      'ops',
    );
    advance(70_000);
    expect(await tokens.authenticate(second.token)).toBeUndefined();
  });
});
