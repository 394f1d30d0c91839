import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../build/build.ts';

/**
 * Node.js long-term-support lines: the first release of each line that was LTS, and the line's end of
 * life, from the Node.js release schedule (github.com/nodejs/Release, schedule.json). Only the even
 * majors become LTS; a release before `firstLts` is that line's "Current" phase, not LTS.
 */
export const NODE_LTS_LINES: Record<number, { codename: string; firstLts: string; endOfLife: string }> = {
  20: { codename: 'Iron', firstLts: '20.9.0', endOfLife: '2026-04-30' },
  22: { codename: 'Jod', firstLts: '22.11.0', endOfLife: '2027-04-30' },
  24: { codename: 'Krypton', firstLts: '24.11.0', endOfLife: '2028-04-30' },
};

/** The Node version CI's LTS pass runs (scripts/ci/node-lts.sh's default NODE_LTS_VERSION). */
export function ciLtsVersion(): string {
  const script = readFileSync(join(REPO_ROOT, 'scripts/ci/node-lts.sh'), 'utf8');
  const version = /NODE_LTS_VERSION="\$\{NODE_LTS_VERSION:-(\d+\.\d+\.\d+)\}"/.exec(script)?.[1];
  if (!version) throw new Error('scripts/ci/node-lts.sh sets no default NODE_LTS_VERSION');
  return version;
}
