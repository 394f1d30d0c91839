import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveStackDir } from './paths.ts';

describe('resolveStackDir', () => {
  const base = mkdtempSync(join(tmpdir(), 'pharos-stackdir-'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('follows a worktree\'s symlink to the shared stack, and keeps a plain or missing folder as it is', () => {
    const main = join(base, 'main');
    const worktree = join(base, 'worktree');
    mkdirSync(join(main, '.stack'), { recursive: true });
    mkdirSync(worktree);
    symlinkSync(join(main, '.stack'), join(worktree, '.stack'));
    expect(resolveStackDir(worktree)).toBe(join(main, '.stack'));
    expect(resolveStackDir(main)).toBe(join(main, '.stack'));
    expect(resolveStackDir(join(base, 'fresh'))).toBe(join(base, 'fresh', '.stack'));
  });
});
