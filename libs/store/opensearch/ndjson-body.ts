/**
 * A `_bulk` body (NDJSON: every line, then a newline) as UTF-8 bytes, written line by line into one buffer.
 * As a string, the lines were joined (a copy of every line), then measured for Content-Length
 * (Buffer.byteLength, a pass over the whole body) and encoded again by the socket write: in the spans
 * indexer's profile these three were some 15% of its CPU (bulks of ~1.6 MB). A UTF-16 code unit is at most
 * three bytes of UTF-8, so three bytes a character always hold the body; the buffer is allocated unfilled
 * (nothing of it is sent but what was written). Both bulk writers use it: records (opensearch-bulk-write.ts) and spans.
 */
export function ndjsonBody(lines: readonly string[]): Buffer {
  let chars = 0;
  for (const line of lines) chars += line.length + 1;
  const buf = Buffer.allocUnsafeSlow(chars * 3);
  let at = 0;
  for (const line of lines) {
    at += buf.write(line, at, 'utf8');
    buf[at++] = 0x0a;
  }
  return buf.subarray(0, at);
}
