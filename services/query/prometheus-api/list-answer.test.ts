import { describe, expect, it } from 'vitest';
import { listAnswer } from './list-answer.ts';

async function text(data: unknown[], warnings: string[]): Promise<string> {
  let out = '';
  for await (const piece of listAnswer(data, warnings)) out += String(piece);
  return out;
}

describe('listAnswer', () => {
  it('writes the bytes JSON.stringify writes, in pieces', async () => {
    const series = Array.from({ length: 2501 }, (_, i) => ({ __name__: 'up', pod: `p"${i}`, cluster: 'é' }));
    expect(await text(series, [])).toBe(JSON.stringify({ status: 'success', data: series }));
    expect(await text(series, ['w'])).toBe(JSON.stringify({ status: 'success', data: series, warnings: ['w'] }));
    expect(await text([], [])).toBe('{"status":"success","data":[]}');
  });
});
