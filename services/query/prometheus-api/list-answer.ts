import { Readable } from 'node:stream';

/** Elements per piece written: big enough that writes are few, small enough that no piece is large. */
const PER_PIECE = 1000;

/**
 * A Prometheus list answer (`{"status":"success","data":[…]}`, as `/api/v1/series` gives) written as a stream
 * of pieces instead of one string: over 100,000 series that string, and the buffer made of it, would be two
 * copies of the whole answer in memory at once. The bytes are the same as JSON.stringify's.
 */
export function listAnswer(data: readonly unknown[], warnings: readonly string[]): Readable {
  function* pieces(): Generator<string> {
    yield '{"status":"success","data":[';
    for (let i = 0; i < data.length; i += PER_PIECE) {
      const part = data.slice(i, i + PER_PIECE).map((x) => JSON.stringify(x));
      yield (i === 0 ? '' : ',') + part.join(',');
    }
    yield warnings.length ? `],"warnings":${JSON.stringify(warnings)}}` : ']}';
  }
  return Readable.from(pieces(), { objectMode: false });
}
