import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { AlertRepository } from './alert-repository.ts';

describe('AlertRepository history', () => {
  it('pages newest first, filters by alertname and labels, and prunes by age', async () => {
    const store = new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-repo-')), 's.db'));
    await store.init();
    const repo = new AlertRepository(store);
    const t = (time: number, alertname: string, cluster: string) => ({
      time,
      fingerprint: `${alertname}${cluster}`,
      alertname,
      labels: { alertname, cluster },
      from: 'inactive' as const,
      to: 'pending' as const,
      value: 1,
    });
    await repo.appendHistory({
      group: 'g',
      ruleKey: 'k',
      transitions: [t(1000, 'A', 'east'), t(2000, 'B', 'east'), t(3000, 'A', 'west'), t(4000, 'A', 'east')],
    });
    const first = await repo.history({ alertname: 'A', limit: 2 });
    expect(first.items.map((i) => i.time)).toEqual([4000, 3000]);
    const second = await repo.history({ alertname: 'A', limit: 2, cursor: first.next ?? undefined });
    expect(second.items.map((i) => i.time)).toEqual([1000]);
    expect((await repo.history({ labels: { cluster: 'east' }, limit: 10 })).items.map((i) => i.time)).toEqual([
      4000, 2000, 1000,
    ]);
    expect(await repo.pruneHistory(2500)).toBe(2);
    expect((await repo.history({ limit: 10 })).items.map((i) => i.time)).toEqual([4000, 3000]);
  });
});
