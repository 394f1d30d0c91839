import { describe, expect, it } from 'vitest';
import { ndjsonBody } from './ndjson-body.ts';

describe('ndjsonBody', () => {
  it('is the lines joined by newlines, newline-terminated, in UTF-8, whatever the characters', () => {
    const lines = ['{"index":{"_id":"a"}}', '{"m":"plain"}', '{"m":"é ü ß"}', '{"m":"日本語"}', '{"m":"😀 emoji"}', ''];
    const body = ndjsonBody(lines);
    expect(body.toString('utf8')).toBe(`${lines.join('\n')}\n`);
    expect(body.length).toBe(Buffer.byteLength(`${lines.join('\n')}\n`));
    expect(ndjsonBody([]).length).toBe(0);
  });
});
