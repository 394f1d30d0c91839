import { describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../../../libs/auth/principal.ts';
import type { LogDoc } from '../../../libs/schemas/records.ts';
import { MemoryRecordStore } from '../../../libs/store/memory/memory-record.store.ts';
import type { AnyDoc } from '../../../libs/store/record-store.ts';
import { exportStream } from './records-export.ts';
import { RecordsService } from './records.service.ts';

describe('export stream', () => {
  it('pulls records only as fast as they are read, and releases the store when the reader stops', async () => {
    let produced = 0;
    let released = false;
    const endless = new MemoryRecordStore();
    endless.exportAll = async function* (): AsyncIterable<AnyDoc> {
      try {
        for (;;) {
          produced++;
          const doc: LogDoc = {
            id: `e${produced}`,
            kind: 'logs',
            cluster: 'c',
            time: produced,
            ingestedAt: 0,
            message: 'x'.repeat(200),
          };
          yield doc;
        }
      } finally {
        released = true;
      }
    };
    const limits = { maxRangeDays: 7, maxPageSize: 100, defaultPageSize: 10, timeoutMs: 1000 };
    const service = new RecordsService({ store: async () => endless, limits });
    const { docs } = await service.export(
      { kind: 'logs', query: { format: 'ndjson', sort: 'desc' } },
      FULL_SCOPE,
      new AbortController().signal,
    );
    const stream = exportStream('logs', 'ndjson', docs);
    const reader = stream[Symbol.asyncIterator]();
    const first = await reader.next();
    expect(String(first.value).split('\n')[0]).toContain('"id":"e1"');
    await reader.return?.();
    await new Promise((resolve) => setImmediate(resolve));
    // A few 64 KiB chunks at most were prepared ahead of the reader, not the endless rest.
    expect(produced).toBeLessThan(5_000);
    expect(released).toBe(true);
  });
});
