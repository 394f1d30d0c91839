import { describe, expect, it } from 'vitest';
import { parseLabelValues } from './label-values.ts';
import { metricNames, vectorSelectors } from './metric-names.ts';

describe('parseLabelValues', () => {
  it('reads both forms, with commas inside the selector', () => {
    expect(parseLabelValues('label_values(job)')).toEqual({ label: 'job' });
    expect(parseLabelValues('label_values(up{job="a,b", x=~"(c|d)"}, instance)')).toEqual({
      label: 'instance',
      match: 'up{job="a,b", x=~"(c|d)"}',
    });
    expect(parseLabelValues(' label_values( kube_pod_info{cluster="east"} , namespace ) ')).toEqual({
      label: 'namespace',
      match: 'kube_pod_info{cluster="east"}',
    });
  });

  it('refuses what is not label_values', () => {
    expect(() => parseLabelValues('query_result(up)')).toThrow(/not label_values/);
    expect(() => parseLabelValues('label_values(up, "x")')).toThrow(/not a label name/);
  });
});

describe('vectorSelectors', () => {
  it('finds every selector and metric of an expression', () => {
    const expr = 'sum(rate(a_total{x="1"}[5m])) / on(y) group_left b + {__name__="c", d="e"} + cluster:rule:sum';
    expect(vectorSelectors(expr).map((s) => s.text)).toEqual([
      'a_total{x="1"}',
      'b',
      '{__name__="c", d="e"}',
      'cluster:rule:sum',
    ]);
    expect(metricNames(expr)).toEqual(['a_total', 'b', 'c', 'cluster:rule:sum']);
  });
});
