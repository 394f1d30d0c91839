import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// docs/architecture.md is the page a newcomer reads first: every path it names must exist, or it lies.
describe('docs/architecture.md', () => {
  it('names only paths that exist', () => {
    const text = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    const paths = [...text.matchAll(/`((?:libs|services|scripts|test|bench|docs)\/[^`*\s]*)`/g)].map(
      (m) => m[1] as string,
    );
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
