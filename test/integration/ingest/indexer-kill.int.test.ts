import { afterAll, describe, expect, it } from 'vitest';
import { indexerFixture } from './indexer-fixture.ts';
import { exited, until } from './pipeline.helpers.ts';

const TOTAL = 50_000;

describe('indexer killed with SIGKILL mid-stream', () => {
  const f = indexerFixture('kill');
  afterAll(() => f.close());

  it(`ends with exactly ${TOTAL} records after kill -9 and restart`, { timeout: 600_000 }, async () => {
    await f.init();
    const first = f.spawnIndexer();
    // Publish while the indexer runs, so the kill lands in the middle of the stream.
    const publishing = f.publish(TOTAL);
    await until(async () => (await f.count()) >= 5_000, 240_000, 'indexer made progress');
    first.kill('SIGKILL');
    await exited(first);
    const atKill = await f.count();
    await publishing;
    expect(atKill).toBeLessThan(TOTAL);
    console.info(`[kill -9] ${atKill} of ${TOTAL} records were searchable when the indexer was killed`);

    const second = f.spawnIndexer();
    await f.caughtUp(TOTAL);
    expect(await f.count()).toBe(TOTAL);
    second.kill('SIGTERM');
    await exited(second);
  });
});
