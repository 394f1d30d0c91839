import { describe, expect, it } from 'vitest';
import type { AnyDoc } from '../schemas/records.ts';
import { fitRecord } from './fit-record.ts';

const base = {
  id: 'a',
  kind: 'audit',
  cluster: 'east',
  time: 1,
  ingestedAt: 1,
  auditID: 'x',
  stage: 'ResponseComplete',
  verb: 'update',
};

describe('fitRecord', () => {
  it('leaves a record that fits alone', () => {
    const doc = { ...base, raw: { small: true } } as AnyDoc;
    const out = fitRecord(doc, 1000);
    expect(out.trimmed).toBe(false);
    expect(out.doc).toBe(doc);
    expect(out.json).toBe(JSON.stringify(doc));
  });

  it('drops raw first and keeps every indexed field', () => {
    const doc = { ...base, raw: { requestObject: 'x'.repeat(5000) } } as AnyDoc;
    const out = fitRecord(doc, 1000);
    expect(out.trimmed).toBe(true);
    expect(out.doc).toEqual(base);
    expect(Buffer.byteLength(out.json)).toBeLessThanOrEqual(1000);
  });

  it('then cuts a long message, counting multi-byte characters, and says so', () => {
    const doc = { id: 'l', kind: 'logs', cluster: 'east', time: 1, ingestedAt: 1, message: 'é'.repeat(3000) } as AnyDoc;
    const out = fitRecord(doc, 1000);
    expect(Buffer.byteLength(out.json)).toBeLessThanOrEqual(1000);
    expect((out.doc as { message: string }).message).toMatch(/^é+… \[pharos: \d+ characters cut to fit the bus\]$/);
  });

  it('cuts an audit response message the same way', () => {
    const doc = {
      ...base,
      responseMessage: `admission webhook denied the request: ${'x'.repeat(5000)}`,
      raw: { big: 'y'.repeat(5000) },
    } as AnyDoc;
    const out = fitRecord(doc, 1000);
    expect(Buffer.byteLength(out.json)).toBeLessThanOrEqual(1000);
    expect(out.doc).toMatchObject({
      ...base,
      responseMessage: expect.stringMatching(
        /^admission webhook denied the request: x+… \[pharos: \d+ characters cut to fit the bus\]$/,
      ),
    });
  });
});
