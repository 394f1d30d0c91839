/**
 * memcached's text protocol (https://github.com/memcached/memcached/blob/master/doc/protocol.txt): the
 * commands Pharos sends and incremental parsers of their replies. A parser looks at the bytes received so far
 * from the start of its reply and says how many it used, or that it needs more.
 */
export type Parsed<T> = { done: true; value: T; used: number } | { done: false };
export type ReplyParser<T> = (buf: Buffer) => Parsed<T>;

const CRLF = '\r\n';
const NEED_MORE = { done: false } as const;

/** A reply line that says the server refused the command (the connection is then started afresh). */
export class MemcachedReplyError extends Error {}

/** Keys are at most 250 bytes without spaces or control characters (protocol.txt, "Keys"). */
export function checkKey(key: string): void {
  const printable = [...key].every((c) => c > ' ' && c < '\x7f');
  if (key.length === 0 || key.length > 250 || !printable) throw new Error(`invalid memcached key "${key}"`);
}

export function getCommand(keys: readonly string[]): Buffer {
  keys.forEach(checkKey);
  return Buffer.from(`get ${keys.join(' ')}${CRLF}`);
}

/** `exptime` over 30 days would be read as a Unix time: longer TTLs are sent as one. */
export function setCommand(
  key: string,
  value: Buffer,
  { ttlSeconds, nowMs }: { ttlSeconds: number; nowMs: number },
): Buffer {
  checkKey(key);
  const ttl = Math.max(1, Math.round(ttlSeconds));
  const exptime = ttl > 30 * 86_400 ? Math.floor(nowMs / 1000) + ttl : ttl;
  return Buffer.concat([Buffer.from(`set ${key} 0 ${exptime} ${value.byteLength}${CRLF}`), value, Buffer.from(CRLF)]);
}

export const STATS_COMMAND = Buffer.from(`stats${CRLF}`);

function line(buf: Buffer, from: number): { text: string; next: number } | undefined {
  const end = buf.indexOf(CRLF, from);
  return end < 0 ? undefined : { text: buf.toString('latin1', from, end), next: end + 2 };
}

function refusal(text: string): MemcachedReplyError | undefined {
  return text === 'ERROR' || text.startsWith('CLIENT_ERROR') || text.startsWith('SERVER_ERROR')
    ? new MemcachedReplyError(text)
    : undefined;
}

/** `VALUE <key> <flags> <bytes>` blocks, then `END`. */
export const parseGet: ReplyParser<Map<string, Buffer>> = (buf) => {
  const values = new Map<string, Buffer>();
  let at = 0;
  for (;;) {
    const l = line(buf, at);
    if (!l) return NEED_MORE;
    if (l.text === 'END') return { done: true, value: values, used: l.next };
    const err = refusal(l.text);
    if (err) throw err;
    const m = /^VALUE (\S+) \d+ (\d+)(?: \d+)?$/.exec(l.text);
    if (!m) throw new Error(`unexpected memcached reply "${l.text.slice(0, 80)}"`);
    const bytes = Number(m[2]);
    if (buf.length < l.next + bytes + 2) return NEED_MORE;
    values.set(m[1] as string, Buffer.from(buf.subarray(l.next, l.next + bytes)));
    at = l.next + bytes + 2;
  }
};

/**
 * One line: STORED, NOT_STORED, … or SERVER_ERROR (e.g. "object too large for cache", after the server read
 * and dropped the data): returned as it is, the connection stays in step either way.
 */
export const parseStore: ReplyParser<string> = (buf) => {
  const l = line(buf, 0);
  return l ? { done: true, value: l.text, used: l.next } : NEED_MORE;
};

/** `STAT <name> <value>` lines, then `END`. */
export const parseStats: ReplyParser<Record<string, string>> = (buf) => {
  const stats: Record<string, string> = {};
  let at = 0;
  for (;;) {
    const l = line(buf, at);
    if (!l) return NEED_MORE;
    if (l.text === 'END') return { done: true, value: stats, used: l.next };
    const err = refusal(l.text);
    if (err) throw err;
    const m = /^STAT (\S+) (.*)$/.exec(l.text);
    if (m) stats[m[1] as string] = m[2] as string;
    at = l.next;
  }
};
