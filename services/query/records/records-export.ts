import { Readable } from 'node:stream';
import type { RecordKind } from '../../../libs/schemas/records.ts';
import type { AnyDoc } from '../../../libs/store/record-store.ts';

/** CSV columns per kind: the filter fields and the text people read; `time` as RFC 3339. NDJSON has whole records. */
const CSV_COLUMNS: Record<RecordKind, readonly string[]> = {
  logs: ['time', 'cluster', 'namespace', 'pod', 'container', 'node', 'stream', 'message', 'id'],
  events: ['time', 'cluster', 'namespace', 'objectKind', 'name', 'reason', 'type', 'count', 'source', 'message', 'id'],
  // Columns added later go last, so that readers by position keep working.
  audit: [
    'time',
    'cluster',
    'namespace',
    'verb',
    'user',
    'groups',
    'sourceIP',
    'resource',
    'subresource',
    'name',
    'code',
    'stage',
    'level',
    'requestURI',
    'userAgent',
    'auditID',
    'id',
    'impersonatedUser',
    'impersonatedGroups',
    'decision',
    'authzReason',
    'responseReason',
    'responseMessage',
    'objectUid',
  ],
};

/**
 * Headers of an export answer holding its effective time range, epoch milliseconds (as `start`/`end` of the JSON
 * answers).
 */
export const RANGE_HEADERS = { start: 'pharos-range-start', end: 'pharos-range-end' } as const;

export const EXPORT_CONTENT_TYPE = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
} as const;

/** RFC 4180 quoting: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(kind: RecordKind, doc: AnyDoc): string {
  const record = doc as unknown as Record<string, unknown>;
  return `${CSV_COLUMNS[kind].map((c) => csvField(c === 'time' ? new Date(doc.time).toISOString() : record[c])).join(',')}\r\n`;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The export body as a stream. Readable.from pulls the next record only when the socket has taken the
 * previous chunks (backpressure), so memory stays bounded whatever the size; lines are grouped into ~64 KiB
 * chunks to keep the per-write cost low.
 */
export function exportStream(kind: RecordKind, format: 'ndjson' | 'csv', docs: AsyncIterable<AnyDoc>): Readable {
  async function* chunks(): AsyncGenerator<string> {
    let buffer = format === 'csv' ? `${CSV_COLUMNS[kind].join(',')}\r\n` : '';
    for await (const doc of docs) {
      buffer += format === 'csv' ? csvLine(kind, doc) : `${JSON.stringify(doc)}\n`;
      if (buffer.length >= CHUNK_BYTES) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer) yield buffer;
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK_BYTES });
}
