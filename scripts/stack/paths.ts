// Where the local stack keeps its state. Everything lives under `.stack/` in the repository root (gitignored), so
// `rm -rf .stack` after `npm run stack -- down` returns the machine to a clean state; downloaded jars stay in
// Maven's own cache (~/.m2), which is what makes a second install fast.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STACK_SOURCES = path.join(REPO_ROOT, 'scripts', 'stack');
/**
 * `.stack` may be a symlink to another checkout's (git worktrees sharing one running stack). Daemons' command
 * lines and pidfiles name the real path, and livePid() removes a pidfile whose daemon does not mention the
 * folder: compared by the symlink's path, every run from a worktree would drop the shared stack's pidfiles.
 */
export const STACK_DIR = realPath(path.join(REPO_ROOT, '.stack'));

function realPath(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

/** Loopback only: the stack must never listen on, or be reached through, another interface or a name. */
export const HOST = '127.0.0.1';

export function stackPath(...parts: string[]): string {
  return path.join(STACK_DIR, ...parts);
}
