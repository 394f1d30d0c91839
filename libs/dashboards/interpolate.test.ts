import { describe, expect, it } from 'vitest';
import { constant, interpolate, interpolateFilter, referencedNames, type ResolvedVariable } from './interpolate.ts';

const single = (v: string): ResolvedVariable => ({ values: [v], isAll: false, regexFormat: false });
const multi = (...values: string[]): ResolvedVariable => ({ values, isAll: false, regexFormat: true });
const all = (values: string[], allValue?: string): ResolvedVariable => ({
  values,
  isAll: true,
  allValue,
  regexFormat: true,
});

describe('interpolate', () => {
  const scope = { ns: multi('default', 'kube.system'), job: single('node'), cluster: multi('east'), i: constant('5m') };

  it('substitutes $var, ${var} and [[var]] alike', () => {
    expect(interpolate('up{job="$job"} up{job="${job}"} up{job="[[job]]"}', scope)).toBe(
      'up{job="node"} up{job="node"} up{job="node"}',
    );
  });

  it('turns multi values into a regex alternation with each value escaped', () => {
    expect(interpolate('x{namespace=~"$ns"}', scope)).toBe('x{namespace=~"(default|kube\\\\.system)"}');
  });

  it('escapes a single value of a multi/includeAll variable for =~ and leaves plain variables raw', () => {
    expect(interpolate('x{cluster=~"$cluster"}', scope)).toBe('x{cluster=~"east"}');
    expect(interpolate('rate(x[$i])', scope)).toBe('rate(x[5m])');
  });

  it('uses the custom all value verbatim, else an alternation of every option, else .*', () => {
    expect(interpolate('$a', { a: all(['x', 'y'], '.+') })).toBe('.+');
    expect(interpolate('$a', { a: all(['x', 'y']) })).toBe('(x|y)');
    expect(interpolate('$a', { a: all([]) })).toBe('.*');
  });

  it('applies ${var:format} formats', () => {
    expect(interpolate('${ns:csv} ${ns:pipe} ${ns:raw} ${ns:text} ${ns:search}', scope)).toBe(
      'default,kube.system default|kube.system default,kube.system default + kube.system ("default" OR "kube.system")',
    );
  });

  it('leaves unknown variables and prefixes of longer names alone', () => {
    expect(interpolate('$unknown ${other} $jobs', scope)).toBe('$unknown ${other} $jobs');
  });

  it('string-escapes quotes and backslashes so a value cannot break out of its label matcher', () => {
    expect(interpolate('x{a="$v"}', { v: single('a"} or vector(1) #') })).toBe('x{a="a\\"} or vector(1) #"}');
  });

  it('lists referenced names', () => {
    expect(referencedNames('$a ${b:csv} [[c]] $__interval')).toEqual(['a', 'b', 'c', '__interval']);
  });
});

describe('interpolateFilter', () => {
  it('expands a whole-variable value to its values and drops the filter for All', () => {
    expect(interpolateFilter(['$ns'], { ns: multi('a', 'b') })).toEqual(['a', 'b']);
    expect(interpolateFilter(['$ns'], { ns: all(['a', 'b']) })).toBeUndefined();
    expect(interpolateFilter(['$ns'], { ns: all(['a', 'b'], 'a') })).toEqual(['a']);
    expect(interpolateFilter(['pre-$ns', 'fixed'], { ns: single('x') })).toEqual(['pre-x', 'fixed']);
  });
});
