import { describe, expect, it } from 'vitest';
import { checkKey, getCommand, parseGet, parseStats, parseStore, setCommand } from './memcached.protocol.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('memcached text protocol', () => {
  it('builds get and set commands; a TTL over 30 days is sent as a Unix time', () => {
    expect(getCommand(['a', 'b']).toString()).toBe('get a b\r\n');
    expect(setCommand('k', b('hello'), { ttlSeconds: 60, nowMs: 0 }).toString()).toBe('set k 0 60 5\r\nhello\r\n');
    expect(setCommand('k', b('x'), { ttlSeconds: 31 * 86_400, nowMs: 1_000_000_000 }).toString()).toBe(
      `set k 0 ${1_000_000 + 31 * 86_400} 1\r\nx\r\n`,
    );
    expect(() => checkKey('has space')).toThrow();
    expect(() => checkKey('x'.repeat(251))).toThrow();
  });

  it('parses a get reply only once all of it has arrived, binary values included', () => {
    const value = Buffer.from([0, 13, 10, 255, 69, 78, 68]);
    const reply = Buffer.concat([b('VALUE k1 0 7\r\n'), value, b('\r\nVALUE k2 0 0\r\n\r\nEND\r\n'), b('STORED\r\n')]);
    for (let cut = 0; cut < reply.length - 8; cut++) expect(parseGet(reply.subarray(0, cut)).done).toBe(false);
    const parsed = parseGet(reply);
    expect(parsed.done && parsed.used).toBe(reply.length - 8);
    expect(parsed.done && [...parsed.value]).toEqual([
      ['k1', value],
      ['k2', Buffer.alloc(0)],
    ]);
  });

  it('reads store replies, stats and refusals', () => {
    expect(parseStore(b('STORED\r\n'))).toEqual({ done: true, value: 'STORED', used: 8 });
    expect(parseStore(b('SERVER_ERROR object too large for cache\r\n'))).toMatchObject({
      done: true,
      value: 'SERVER_ERROR object too large for cache',
    });
    expect(parseStore(b('STOR'))).toEqual({ done: false });
    expect(parseStats(b('STAT bytes 42\r\nSTAT evictions 3\r\nEND\r\n'))).toMatchObject({
      done: true,
      value: { bytes: '42', evictions: '3' },
    });
    expect(() => parseGet(b('CLIENT_ERROR bad command line format\r\n'))).toThrow('CLIENT_ERROR');
    expect(() => parseGet(b('garbage\r\n'))).toThrow('unexpected');
  });
});
