import { describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../../../libs/auth/principal.ts';
import { tailConfigSchema } from '../../../libs/config/sections/tail.ts';
import type { AuditDoc, LogDoc } from '../../../libs/schemas/records.ts';
import { MemoryRecordStore } from '../../../libs/store/memory/memory-record.store.ts';
import { RecordsTail, type TailEvent } from './records-tail.ts';
import type { TailQuery } from './records-tail.schemas.ts';

const limits = { maxRangeDays: 7, maxPageSize: 100, defaultPageSize: 10, timeoutMs: 2_000 };
const T0 = Date.UTC(2024, 2, 2, 12);

function log(
  id: string,
  time: number,
  { namespace = 'shop', message = `line ${id}` }: { namespace?: string; message?: string } = {},
): LogDoc {
  return { id, kind: 'logs', cluster: 'east', namespace, time, ingestedAt: time, message };
}

/** A tail over an in-memory store with a clock the test moves, polling every 20 ms. */
function setup(tail: Partial<ReturnType<typeof tailConfigSchema.parse>> = {}) {
  const store = new MemoryRecordStore();
  let now = T0;
  const service = new RecordsTail({
    store: async () => store,
    limits,
    tail: tailConfigSchema.parse({ pollIntervalMs: 100, lateMs: 5_000, ...tail }),
    now: () => now,
  });
  return { store, service, advance: (ms: number) => (now += ms) };
}

/** Reads events until `count` records (or `until` holds) arrived, then stops the stream. */
async function take(
  events: AsyncIterable<TailEvent>,
  stop: (got: TailEvent[]) => boolean,
  abort: AbortController,
): Promise<TailEvent[]> {
  const got: TailEvent[] = [];
  for await (const e of events) {
    got.push(e);
    if (stop(got)) break;
  }
  abort.abort();
  return got;
}

const records = (events: TailEvent[]) => events.flatMap((e) => (e.type === 'record' ? [e.doc.id] : []));

describe('live tail', () => {
  it('shows records stored after it opened, once each, in time order, late ones within lateMs too', async () => {
    const { store, service, advance } = setup();
    await store.write('logs', [log('before', T0 - 60_000)]);
    const abort = new AbortController();
    const events = service.open({ kind: 'logs', query: {} }, { name: 'a', scope: FULL_SCOPE }, abort.signal);
    const done = take(events, (got) => records(got).length >= 4, abort);
    await store.write('logs', [log('b', T0 + 20), log('a', T0 + 10)]);
    await new Promise((r) => setTimeout(r, 250));
    advance(1000);
    // Arrives after `b` was shown, with an older time still inside lateMs; `ancient` is outside it.
    await store.write('logs', [log('late', T0 + 5), log('ancient', T0 - 10_000), log('c', T0 + 900)]);
    const got = await done;
    expect(got[0]).toMatchObject({ type: 'open', start: T0, lateMs: 5_000 });
    expect(records(got)).toEqual(['a', 'b', 'late', 'c']);
    expect(service.openStreams).toBe(0);
  });

  it('applies filters, q and the scope; a namespace outside the scope is refused before streaming', async () => {
    const { store, service } = setup();
    const scope = { clusters: ['*'], namespaces: ['shop'] };
    expect(() =>
      service.open(
        { kind: 'logs', query: { namespace: 'bank' } as TailQuery },
        { name: 's', scope },
        new AbortController().signal,
      ),
    ).toThrow(/outside your scope/);
    expect(() =>
      service.open({ kind: 'logs', query: { q: 'a AND' } }, { name: 's', scope }, new AbortController().signal),
    ).toThrow();
    const abort = new AbortController();
    const events = service.open({ kind: 'logs', query: { q: 'error' } }, { name: 's', scope }, abort.signal);
    const done = take(events, (got) => records(got).length >= 1, abort);
    await store.write('logs', [
      log('other-ns', T0 + 1, { namespace: 'bank', message: 'error here' }),
      log('no-match', T0 + 2, { namespace: 'shop', message: 'fine' }),
      log('hit', T0 + 3, { namespace: 'shop', message: 'an error' }),
    ]);
    expect(records(await done)).toEqual(['hit']);
  });

  it('follows audit records by the impersonated user, the decision and the words of the response message', async () => {
    const { store, service } = setup();
    const audit = (id: string, time: number, extra: Partial<AuditDoc>): AuditDoc => ({
      id,
      kind: 'audit',
      cluster: 'east',
      namespace: 'dev',
      time,
      ingestedAt: T0,
      auditID: id,
      stage: 'ResponseComplete',
      user: 'system:admin',
      verb: 'get',
      ...extra,
    });
    const forbidden = (user: string) => ({
      decision: 'forbid',
      responseReason: 'Forbidden',
      responseMessage: `secrets "db" is forbidden: User "${user}" cannot get resource "secrets"`,
    });
    // The expected records are the newest, so one that should not match would be shown before them.
    const written = [
      audit('as-alice', T0 + 1, { impersonatedUser: 'alice' }),
      audit('direct', T0 + 2, { user: 'carol', ...forbidden('carol') }),
      audit('as-bob', T0 + 3, { impersonatedUser: 'bob', ...forbidden('bob') }),
    ];
    const follow = async (query: TailQuery, want: number) => {
      const abort = new AbortController();
      const done = take(
        service.open({ kind: 'audit', query }, { name: 'a', scope: FULL_SCOPE }, abort.signal),
        (got) => records(got).length >= want,
        abort,
      );
      await store.write('audit', written);
      return records(await done);
    };
    expect(await follow({ impersonatedUser: 'bob' } as TailQuery, 1)).toEqual(['as-bob']);
    expect(await follow({ decision: 'forbid' } as TailQuery, 2)).toEqual(['direct', 'as-bob']);
    expect(await follow({ q: 'forbidden AND bob' }, 1)).toEqual(['as-bob']);
  });

  it('counts what it could not show when more matched than one poll reads', async () => {
    const { store, service } = setup({ maxPerPoll: 5 });
    const abort = new AbortController();
    const events = service.open({ kind: 'logs', query: {} }, { name: 'a', scope: FULL_SCOPE }, abort.signal);
    const done = take(events, (got) => records(got).length >= 5, abort);
    await store.write(
      'logs',
      Array.from({ length: 20 }, (_, i) => log(`n${String(i).padStart(2, '0')}`, T0 + i)),
    );
    const got = await done;
    expect(got.find((e) => e.type === 'dropped')).toMatchObject({ count: 15 });
    expect(records(got)).toEqual(['n15', 'n16', 'n17', 'n18', 'n19']);
  });

  it('bounds streams per process and per principal, and frees a slot when its client goes', async () => {
    const { service } = setup({ maxStreams: 3, maxStreamsPerPrincipal: 2 });
    const a1 = new AbortController();
    service.open({ kind: 'logs', query: {} }, { name: 'a', scope: FULL_SCOPE }, a1.signal);
    service.open({ kind: 'logs', query: {} }, { name: 'a', scope: FULL_SCOPE }, new AbortController().signal);
    expect(() =>
      service.open({ kind: 'logs', query: {} }, { name: 'a', scope: FULL_SCOPE }, new AbortController().signal),
    ).toThrow(/maxStreamsPerPrincipal/);
    service.open({ kind: 'events', query: {} }, { name: 'b', scope: FULL_SCOPE }, new AbortController().signal);
    expect(() =>
      service.open({ kind: 'logs', query: {} }, { name: 'c', scope: FULL_SCOPE }, new AbortController().signal),
    ).toThrow(/query.tail.maxStreams/);
    a1.abort();
    expect(service.openStreams).toBe(2);
    service.open({ kind: 'logs', query: {} }, { name: 'c', scope: FULL_SCOPE }, new AbortController().signal);
    service.closeAll();
    expect(service.openStreams).toBe(0);
  });

  it('ends its streams on closeAll, and reports a failing store then its recovery', async () => {
    const store = new MemoryRecordStore();
    let fail = true;
    const flaky = {
      ...store,
      search: (...args: Parameters<MemoryRecordStore['search']>) =>
        fail ? Promise.reject(new Error('store down')) : store.search(...args),
    } as unknown as MemoryRecordStore;
    const service = new RecordsTail({
      store: async () => flaky,
      limits,
      tail: tailConfigSchema.parse({ pollIntervalMs: 100 }),
      now: () => T0,
    });
    const events = service.open(
      { kind: 'logs', query: {} },
      { name: 'a', scope: FULL_SCOPE },
      new AbortController().signal,
    );
    const got: TailEvent[] = [];
    const reading = (async () => {
      for await (const e of events) {
        got.push(e);
        if (e.type === 'error') fail = false;
        if (e.type === 'resumed') service.closeAll();
      }
    })();
    await reading;
    expect(got.map((e) => e.type)).toEqual(['open', 'error', 'resumed']);
    expect(got[1]).toMatchObject({ message: expect.stringContaining('store down') });
  });

  it('ends a stream with `end` after maxDurationMs, releasing its slot', async () => {
    const store = new MemoryRecordStore();
    const service = new RecordsTail({
      store: async () => store,
      limits,
      tail: tailConfigSchema.parse({ pollIntervalMs: 100, maxDurationMs: 150 }),
    });
    const got: TailEvent[] = [];
    for await (const e of service.open(
      { kind: 'logs', query: {} },
      { name: 'a', scope: FULL_SCOPE },
      new AbortController().signal,
    ))
      got.push(e);
    expect(got.at(-1)).toMatchObject({ type: 'end', reason: expect.stringContaining('maxDurationMs') });
    expect(service.openStreams).toBe(0);
  });
});
