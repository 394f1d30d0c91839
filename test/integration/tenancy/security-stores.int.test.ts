import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiTokenStore } from '../../../libs/auth/api-token.store.ts';
import { SelfAuditLog, type SelfAuditEntry } from '../../../libs/auth/self-audit.log.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import type { StateStore } from '../../../libs/store/state-store.ts';
import { OpenSearchStateStore } from '../../../libs/store/state/opensearch-state.store.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';

/** Runtime tokens and Pharos's own audit trail behave the same on both state store engines. */
const dir = mkdtempSync(join(tmpdir(), 'pharos-security-int-'));
const run = Date.now().toString(36);

const engines: [string, () => StateStore][] = [
  ['sqlite', () => new SqliteStateStore(join(dir, 'pharos.db'))],
  [
    'opensearch',
    () =>
      new OpenSearchStateStore({
        url: 'http://127.0.0.1:9200',
        indexPrefix: `pharos-sec-${run}`,
        requestTimeoutMs: 30_000,
      }),
  ],
];

const entry = (time: number, principal: string): SelfAuditEntry => ({
  time,
  principal,
  via: 'token',
  role: 'viewer',
  scope: { clusters: ['*'], namespaces: ['payments'] },
  method: 'GET',
  route: '/v1/logs',
  status: principal === 'bob' ? 403 : 200,
  outcome: principal === 'bob' ? 'denied' : 'allowed',
  durationMs: 1,
  requestId: `r${time}`,
});

describe.each(engines)('security state on %s', (_name, create) => {
  const store = create();
  const get = async () => {
    await store.init();
    return store;
  };
  afterAll(() => store.close());

  it('creates, finds by hash, lists without secrets and revokes runtime tokens', async () => {
    const tokens = new ApiTokenStore(get, { cacheTtlMs: 0 });
    const { token, info } = await tokens.create(
      { name: 'team', role: 'viewer', scope: { clusters: ['east'], namespaces: ['payments'] } },
      'ops',
    );
    expect(await tokens.authenticate(token)).toMatchObject({
      name: 'team',
      role: 'viewer',
      scope: { clusters: ['east'], namespaces: ['payments'] },
    });
    expect(await tokens.authenticate(`${token}x`)).toBeUndefined();
    const listed = await tokens.list({ limit: 10 });
    expect(listed.items.map((t) => t.name)).toEqual(['team']);
    expect(JSON.stringify(listed)).not.toContain(token);
    await expect(
      tokens.create({ name: 'team', role: 'admin', scope: { clusters: ['*'], namespaces: ['*'] } }, 'ops'),
    ).rejects.toMatchObject({ code: 'PHAROS_ERR_CONFLICT' });
    await tokens.revoke(info.id);
    expect(await tokens.authenticate(token)).toBeUndefined();
  });

  it('stores the self-audit trail and answers filters, time bounds and pages', async () => {
    const log = new SelfAuditLog({
      store: get,
      config: { enabled: true, retentionDays: 30, bufferSize: 1000 },
      logger: createLogger('silent'),
    });
    const t0 = Date.now() - 10_000;
    for (let i = 0; i < 12; i++) log.record(entry(t0 + i, i % 3 === 0 ? 'bob' : 'alice'));
    const bob = await log.query({ principal: 'bob', outcome: 'denied', limit: 100, order: 'asc' });
    expect(bob.items.map((e) => e.time - t0)).toEqual([0, 3, 6, 9]);
    const window = await log.query({ since: t0 + 2, until: t0 + 5, limit: 100, order: 'desc' });
    expect(window.items.map((e) => e.time - t0)).toEqual([4, 3, 2]);
    const p1 = await log.query({ limit: 5, order: 'asc' });
    const p2 = await log.query({ limit: 5, order: 'asc', cursor: p1.next ?? undefined });
    expect([...p1.items, ...p2.items].map((e) => e.time - t0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await log.stop();
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
