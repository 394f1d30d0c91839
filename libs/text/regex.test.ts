import { describe, expect, it } from 'vitest';
import { CATASTROPHIC } from '../../test/support/backtracking.ts';
import {
  compileJsRegex,
  compileMatcherRegex,
  compileRegex,
  expandTemplate,
  quoteRegex,
  RegexError,
  regexProblem,
} from './regex.ts';

describe('compileMatcherRegex', () => {
  it('anchors as Prometheus does: the whole value, with an alternation inside the group', () => {
    expect(compileMatcherRegex('a|b').test('a')).toBe(true);
    expect(compileMatcherRegex('a|b').test('ab')).toBe(false);
    expect(compileMatcherRegex('api').test('api-server')).toBe(false);
    expect(compileMatcherRegex('').test('')).toBe(true);
    expect(compileMatcherRegex('a').test('a\n')).toBe(false);
  });

  it('takes RE2 syntax: flags, classes, quoting', () => {
    expect(compileMatcherRegex('(?i)DiskFull').test('diskfull')).toBe(true);
    expect(compileMatcherRegex('(?i:dev)-[a-z]+').test('DEV-east')).toBe(true);
    expect(compileMatcherRegex('(?s:a.b)', { dotAll: false }).test('a\nb')).toBe(true);
    expect(compileMatcherRegex('[[:alpha:]]+\\d').test('abc1')).toBe(true);
    expect(compileMatcherRegex('\\pL+').test('café')).toBe(true);
    expect(compileMatcherRegex('\\Qa.b\\E').test('a.b')).toBe(true);
    expect(compileMatcherRegex('\\Qa.b\\E').test('axb')).toBe(false);
  });

  it('lets . match a newline by default (Prometheus 3) and not with dotAll: false (Prometheus 2, Alertmanager)', () => {
    expect(compileMatcherRegex('a.b').test('a\nb')).toBe(true);
    expect(compileMatcherRegex('a.b', { dotAll: false }).test('a\nb')).toBe(false);
    expect(compileMatcherRegex('a.b', { dotAll: false }).test('axb')).toBe(true);
  });

  it('refuses what RE2 does not have, with a reason', () => {
    for (const bad of ['(?=x)y', '(a)\\1', 'a{1001}', '(', 'a**']) {
      expect(() => compileMatcherRegex(bad), bad).toThrow(RegexError);
    }
    expect(() => compileMatcherRegex('(?!kube-).*')).toThrow(
      /parse error: invalid regular expression "\(\?!kube-\)\.\*": invalid or unsupported Perl syntax/,
    );
    expect(regexProblem(() => compileMatcherRegex('('))).toMatch(/missing closing \)/);
    expect(regexProblem(() => compileMatcherRegex('a|b'))).toBeUndefined();
  });

  it('answers backtracking patterns in linear time', () => {
    for (const [pattern, subject] of CATASTROPHIC) {
      const t0 = performance.now();
      expect(compileMatcherRegex(pattern).test(subject)).toBe(false);
      expect(compileRegex(pattern).test(subject)).toBe(false);
      // A ceiling for something stuck, not a speed measurement: JavaScript's RegExp takes minutes on these.
      expect(performance.now() - t0, pattern).toBeLessThan(1000);
    }
  });

  it('caches compiled patterns, bounded in entries', () => {
    expect(compileMatcherRegex('cached-[0-9]+')).toBe(compileMatcherRegex('cached-[0-9]+'));
    expect(compileMatcherRegex('cached-[0-9]+')).not.toBe(compileMatcherRegex('cached-[0-9]+', { dotAll: false }));
    const first = compileMatcherRegex('evicted');
    for (let i = 0; i < 1500; i++) compileMatcherRegex(`filler-${i}`);
    expect(compileMatcherRegex('evicted')).not.toBe(first);
  });
});

describe('remembered results', () => {
  it('answers the same as computing again, over more values than the memo holds', () => {
    const re = compileMatcherRegex('(?P<app>.+)-[a-z0-9]+-[a-z0-9]+');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3000; i++) {
        expect(re.exec(`app${i}-7f9c-x${i}`)?.groups?.app).toBe(`app${i}`);
        expect(re.test(`plain${i}`)).toBe(false);
      }
    }
    expect(re.test(`${'a'.repeat(300)}-1-2`)).toBe(true);
  });
});

describe('expandTemplate and replaceAll (Go regexp.Expand, ReplaceAllString)', () => {
  const m = compileMatcherRegex('(?P<pod>[a-z]+)-(\\d+)').exec('api-12') as NonNullable<
    ReturnType<ReturnType<typeof compileMatcherRegex>['exec']>
  >;

  it('expands numbered and named groups, the longest name, $$, and leaves a bare $', () => {
    expect(expandTemplate('$1/$2/${pod}/$pod', m)).toBe('api/12/api/api');
    expect(expandTemplate('$1x|${1}x|$$1|$|${}', m)).toBe('|apix|$1|$|${}');
    expect(expandTemplate('$01|$9', m)).toBe('|');
  });

  it('replaces every match, and an empty match next to the previous one not again', () => {
    expect(compileRegex('a*').replaceAll('baaac', 'X')).toBe('XbXcX');
    expect(compileRegex('(\\w+)@(\\w+)').replaceAll('a@b, c@d', '$2 at $1')).toBe('b at a, d at c');
    expect(compileRegex('x*').replaceAll('😀', '-')).toBe('-😀-');
    expect(compileRegex('^').replaceAll('ab', '>')).toBe('>ab');
  });
});

describe('compileJsRegex (Grafana variable regexes)', () => {
  it('reads JavaScript notation into RE2 and keeps flags', () => {
    expect(compileJsRegex('^\\u0061pi/(?<v>v\\d)$').exec('api/v1')?.groups?.v).toBe('v1');
    expect(compileJsRegex('PROD', 'gi').test('prod-east')).toBe(true);
    expect(() => compileJsRegex('^(?!kube-).*')).toThrow(RegexError);
  });
});

describe('quoteRegex', () => {
  it('matches the literal text only', () => {
    expect(compileMatcherRegex(quoteRegex('a.b|c(d)')).test('a.b|c(d)')).toBe(true);
    expect(compileMatcherRegex(quoteRegex('a.b')).test('axb')).toBe(false);
  });
});
