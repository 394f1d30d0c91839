import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { FLOORS, SAME_FLOOR, floorOf, violation } from './libs-tiers.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LIBS = join(ROOT, 'libs');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.ts$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** libs/<folder> -> the libs/ folders (and services/) its files import, read from the sources themselves. */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const spec = /(?:from\s+|import\(\s*)['"](\.[^'"]+)['"]/g;
  for (const file of sourceFiles(LIBS)) {
    const from = relative(LIBS, file).split(sep)[0] as string;
    for (const m of readFileSync(file, 'utf8').matchAll(spec)) {
      const target = relative(ROOT, resolve(dirname(file), m[1] as string)).split(sep);
      const to = target[0] === 'libs' ? (target[1] as string) : (target[0] as string);
      if (to !== from) (graph.get(from) ?? graph.set(from, new Set()).get(from))?.add(to);
    }
  }
  return graph;
}

function findLoop(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'open');
    path.push(n);
    for (const m of graph.get(n) ?? []) {
      const loop = visit(m);
      if (loop) return loop;
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const loop = visit(n);
    if (loop) return loop;
  }
  return undefined;
}

describe('the floors of libs/', () => {
  it('give every folder of libs/ a floor', () => {
    const folders = readdirSync(LIBS, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders.filter((e) => floorOf(e.name) === undefined).map((e) => e.name)).toEqual([]);
  });

  it('list same-floor imports only between folders of one floor, without a loop', () => {
    for (const [from, tos] of Object.entries(SAME_FLOOR)) for (const to of tos) expect(floorOf(to)).toBe(floorOf(from));
    const graph = new Map(Object.entries(SAME_FLOOR).map(([k, v]) => [k, new Set(v)]));
    expect(findLoop(graph)).toBeUndefined();
    expect(Object.values(FLOORS).flat().length).toBe(new Set(Object.values(FLOORS).flat()).size);
  });

  it('hold in the sources: no loop between folders of libs/, nothing in libs/ imports services/', () => {
    const graph = folderGraph();
    expect([...graph].filter(([, tos]) => tos.has('services')).map(([from]) => from)).toEqual([]);
    expect(findLoop(graph)).toBeUndefined();
  });

  it('explain each kind of violation', () => {
    expect(violation('promql', 'libs/errors/errors.ts')).toBeUndefined();
    expect(violation('federation', 'libs/promql/ast.ts')).toBeUndefined();
    expect(violation('store', 'services/query/x.ts')).toMatch(/never imports services/);
    expect(violation('promql', 'libs/runtime/context.ts')).toMatch(/higher floor/);
    expect(violation('promql', 'libs/store/record-store.ts')).toMatch(/same floor/);
  });
});

describe('npm run lint', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const lint = async (file: string, code: string) =>
    (await eslint.lintText(code, { filePath: join(ROOT, file) }))[0]?.messages.map((m) => m.ruleId) ?? [];

  it('fails a file in libs/ that imports services/ or a higher floor', async () => {
    expect(await lint('libs/store/new.ts', "export { x } from '../../services/query/x.ts';\n")).toContain(
      'pharos/floors',
    );
    expect(
      await lint('libs/promql/new.ts', "import type { X } from '../runtime/context.ts';\nexport type Y = X;\n"),
    ).toContain('pharos/floors');
    expect(await lint('libs/search/new.ts', "export const p = import('../store/registry.ts');\n")).toContain(
      'pharos/floors',
    );
  });

  it('passes imports down the floors', async () => {
    expect(await lint('libs/runtime/new.ts', "export { getFederation } from './federation.resource.ts';\n")).toEqual(
      [],
    );
    expect(await lint('libs/store/new.ts', "export type { AnyDoc } from '../schemas/records.ts';\n")).toEqual([]);
  });
});
