import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import { SqliteStateStore } from './sqlite-state.store.ts';
import { stateStoreContract } from './state-store.contract.ts';

// SQLite needs no server, so its contract run is also a unit test; the integration suite runs it again
// beside OpenSearch with describe.each.
describe('SqliteStateStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-state-'));
  const store = new SqliteStateStore(join(dir, 'state.db'));
  let n = 0;
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  stateStoreContract(async () => {
    await store.init();
    return { store, prefix: `t${n++}-` };
  });
});
