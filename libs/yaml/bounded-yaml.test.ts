import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
import { FILE_YAML_LIMITS, REQUEST_YAML_LIMITS, parseYamlDocuments, yamlDepth, yamlToJs } from './bounded-yaml.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = resolve(ROOT, '../shared/data');

/** The classic "billion laughs": nine levels of nine aliases each, 387 million strings once expanded. */
export const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');

const parse = (text: string, limits = REQUEST_YAML_LIMITS) =>
  parseYamlDocuments(text, 'body', limits).map((d) => yamlToJs(d, 'body', limits));

describe('bounded YAML', () => {
  it('reads ordinary YAML and JSON, several documents, and an empty stream', () => {
    expect(parse('a:\n  b: [1, {c: d}]\n  e:\n  - f\n  - - g\n')).toEqual([
      { a: { b: [1, { c: 'd' }], e: ['f', ['g']] } },
    ]);
    expect(parse('{"x": [1, 2, {"y": "]]]"}]}')).toEqual([{ x: [1, 2, { y: ']]]' }] }]);
    expect(parse('a: 1\n---\nb: 2\n')).toEqual([{ a: 1 }, { b: 2 }]);
    expect(parse('')).toEqual([]);
  });

  it('refuses an alias bomb with a 400 that says what it is, quickly', () => {
    const started = Date.now();
    expect(() => parse(ALIAS_BOMB)).toThrow(InputError);
    expect(() => parse(ALIAS_BOMB)).toThrow(/alias bomb/);
    expect(Date.now() - started).toBeLessThan(2_000);
    // A few aliases are fine.
    expect(parse('a: &x {k: v}\nb: *x\nc: *x\n')).toEqual([{ a: { k: 'v' }, b: { k: 'v' }, c: { k: 'v' } }]);
  });

  it('refuses deep nesting before composing (flow, block, compact, and brackets hidden in quotes do not count)', () => {
    for (const text of [
      '['.repeat(5_000),
      '{a: '.repeat(2_000),
      `a:\n${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x`,
      `${'- '.repeat(5_000)}x`,
      '[ "]" '.repeat(300),
    ]) {
      expect(() => parse(text), text.slice(0, 30)).toThrow(/nested deeper than 200 levels/);
    }
    expect(
      yamlDepth(
        'a: "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\n',
      ),
    ).toBeLessThan(10);
    expect(
      yamlDepth(
        'a: |\n  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\nb: 1\n',
      ),
    ).toBeLessThan(10);
  });

  it('refuses YAML over the size limit in a request, not in a file', () => {
    const big = `a: "${'x'.repeat(REQUEST_YAML_LIMITS.maxBytes)}"\n`;
    expect(() => parse(big)).toThrow(/over the limit of 262144 bytes/);
    expect(parse(big, FILE_YAML_LIMITS)).toHaveLength(1);
  });

  it('passes every YAML and JSON file of the shared data and the repository', () => {
    const files = [
      ...readdirSync(join(SHARED, 'dashboards'), { recursive: true }).map((f) => join(SHARED, 'dashboards', String(f))),
      ...readdirSync(join(SHARED, 'alert-rules')).map((f) => join(SHARED, 'alert-rules', f)),
      ...readdirSync(join(ROOT, 'dashboards')).map((f) => join(ROOT, 'dashboards', f)),
    ].filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files)
      expect(yamlDepth(readFileSync(file, 'utf8')), file).toBeLessThanOrEqual(REQUEST_YAML_LIMITS.maxDepth);
  });
});
