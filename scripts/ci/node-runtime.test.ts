import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../build/build.ts';
import { parseDockerfile } from '../deploy/deploy-files.ts';
import { NODE_LTS_LINES, ciLtsVersion } from './node-releases.ts';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const lock = JSON.parse(read('package-lock.json')) as {
  packages: Record<string, { version?: string; engines?: unknown }>;
};
const supported = pkg.engines.node;

describe('the Node versions Pharos supports (package.json engines)', () => {
  it('are claimed by no more than every installed package allows: npm ci warns EBADENGINE otherwise', () => {
    const narrower = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .flatMap(([path, entry]) => {
        const range = (entry.engines as { node?: unknown } | undefined)?.node;
        return typeof range === 'string' && !semver.subset(supported, range)
          ? [`${path}@${entry.version}: node ${range}`]
          : [];
      });
    expect(narrower, `engines.node "${supported}" claims versions these packages exclude`).toEqual([]);
  });

  it('are LTS lines, and include the one CI tests and the machine Node this run uses', () => {
    expect(semver.satisfies(ciLtsVersion(), supported)).toBe(true);
    expect(semver.satisfies(process.version, supported), process.version).toBe(true);
    const majors = [
      ...new Set(
        semver
          .validRange(supported)!
          .split('||')
          .map((r) => semver.minVersion(r.trim())!.major),
      ),
    ];
    expect(majors.filter((m) => !(m in NODE_LTS_LINES))).toEqual([]);
  });

  it('are stated in the README as package.json has them', () => {
    expect(read('README.md')).toContain(`\`${supported}\``);
  });
});

describe('the image', () => {
  const { args, stages } = parseDockerfile(read('Dockerfile'));
  const tag = /^node:(\d+)\.(\d+)-(\w+)-slim$/.exec(args.NODE_IMAGE ?? '');

  it('builds every stage from one slim Debian node image tagged by minor version', () => {
    expect(tag, args.NODE_IMAGE).not.toBeNull();
    expect(stages.map((s) => s.from)).toEqual(stages.map(() => args.NODE_IMAGE));
  });

  it('runs an LTS release of Node, before its end of life, that Pharos supports and CI tests', () => {
    const [, major = '', minor = ''] = tag ?? [];
    const line = NODE_LTS_LINES[Number(major)];
    expect(line, `node ${major} is not an LTS line`).toBeDefined();
    expect(
      semver.gte(`${major}.${minor}.0`, line!.firstLts),
      `node ${major}.${minor} predates ${line!.codename}'s first LTS release`,
    ).toBe(true);
    expect(
      new Date().toISOString().slice(0, 10) < line!.endOfLife,
      `node ${major} reaches its end of life on ${line!.endOfLife}: move the image and CI to a newer LTS`,
    ).toBe(true);
    expect(semver.satisfies(`${major}.${minor}.0`, supported)).toBe(true);
    expect(ciLtsVersion().split('.').slice(0, 2)).toEqual([major, minor]);
  });

  it('is named in the docs with the Node line it runs', () => {
    expect(read('docs/deploy.md')).toContain(`\`${args.NODE_IMAGE}\``);
  });
});
