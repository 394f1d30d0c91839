import { describe } from 'vitest';
import { pagingContract, recordStoreContract } from '../../../libs/store/record-store.contract.ts';
import { ENGINES } from './record-engines.ts';
import { allFixtures, logFixtures } from './record-fixtures.ts';

// The same fixtures and queries on every engine; each answer must equal the in-memory reference's.
describe.each(ENGINES)('record store contract on $name', (engine) => {
  recordStoreContract(engine, allFixtures);
  // 100,000 records paged 1,000 at a time (the default query.maxPageSize): every id exactly once, in order.
  pagingContract(engine, () => logFixtures(100_000, 7, 'paging'), 1000);
});
