import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import type { StateStore } from '../../../libs/store/state-store.ts';
import { OpenSearchStateStore } from '../../../libs/store/state/opensearch-state.store.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import { stateStoreContract } from '../../../libs/store/state/state-store.contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'pharos-state-int-'));
const run = Date.now().toString(36);

const engines: [string, () => StateStore][] = [
  ['sqlite', () => new SqliteStateStore(join(dir, 'pharos.db'))],
  [
    'opensearch',
    () =>
      new OpenSearchStateStore({
        url: 'http://127.0.0.1:9200',
        indexPrefix: `pharos-it-${run}`,
        requestTimeoutMs: 30_000,
      }),
  ],
];

describe.each(engines)('state store contract: %s', (_name, create) => {
  const store = create();
  let n = 0;
  afterAll(async () => {
    await store.close();
  });
  stateStoreContract(async () => {
    await store.init();
    return { store, prefix: `t${n++}-` };
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
