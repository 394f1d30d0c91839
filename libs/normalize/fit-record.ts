import type { AnyDoc } from '../schemas/records.ts';

/**
 * Largest record the bus carries: Kafka refuses a message over `message.max.bytes` (1 MiB by default), and
 * refusing one would make the intake answer 503 for its whole batch, again on every retry, until the
 * sender gives up and drops the batch (the API server's audit webhook does). Audit events at
 * RequestResponse level on large objects, or a very long log line, can pass it. Half the limit, because a
 * record the indexer dead-letters travels again as a JSON string inside its letter, where escaping can make
 * it up to twice as long.
 */
export const MAX_RECORD_BYTES = 512 * 1024;

const byteLength = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * A record that fits MAX_RECORD_BYTES once serialized, losing as little as possible: first `raw` (the
 * original object, kept for display and never indexed) goes, then `message` (audit: `responseMessage`) is
 * cut with a note of how much was cut. Every filter field stays. Returns the record unchanged when it already fits.
 */
export function fitRecord(doc: AnyDoc, maxBytes = MAX_RECORD_BYTES): { doc: AnyDoc; json: string; trimmed: boolean } {
  let json = JSON.stringify(doc);
  // Fast path: UTF-8 takes at most 3 bytes per UTF-16 unit, so a short string cannot be over.
  if (json.length * 3 <= maxBytes || byteLength(json) <= maxBytes) return { doc, json, trimmed: false };
  let fitted = { ...doc } as AnyDoc & { raw?: unknown } & Partial<Record<(typeof CUTTABLE)[number], string>>;
  delete fitted.raw;
  json = JSON.stringify(fitted);
  for (const field of CUTTABLE) {
    const over = byteLength(json) - maxBytes;
    const text = fitted[field];
    if (over <= 0 || typeof text !== 'string') continue;
    // Keep as many whole characters as fit in the text's bytes minus the excess and room for the note
    // (encodeInto stops before a character that would not fit, and reports how much it read).
    const room = Math.max(0, byteLength(text) - over - 80);
    const keep = new TextEncoder().encodeInto(text, new Uint8Array(room)).read;
    fitted = {
      ...fitted,
      [field]: `${text.slice(0, keep)}… [pharos: ${text.length - keep} characters cut to fit the bus]`,
    };
    json = JSON.stringify(fitted);
  }
  return { doc: fitted, json, trimmed: true };
}

/** Free text that may be cut, in this order: a log line or event message, an audit response's message. */
const CUTTABLE = ['message', 'responseMessage'] as const;
