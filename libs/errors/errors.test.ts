import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from './errors.ts';

// The catalogue is a public contract: every code is documented with its status, and the docs list no code
// that the code base does not have.
describe('error catalogue', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const documented = [...doc.matchAll(/^\| `(PHAROS_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);

  it('documents every code with its HTTP status', () => {
    const expected = Object.entries(ERROR_CATALOGUE).map(([code, e]) => [code, e.status]);
    expect(documented.sort()).toEqual(expected.sort());
  });
});
