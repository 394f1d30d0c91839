import { describe, expect, it } from 'vitest';
import { parsePromQL } from './parser.ts';
import { stripPromQLComments } from './comments.ts';

describe('PromQL comments', () => {
  it('parses a query with # comments, as Prometheus does', () => {
    const withComments = 'sum by (job) (\n  # per job\n  up{job="a#b"} # the label value keeps its #\n)';
    expect(parsePromQL(withComments)).toEqual(parsePromQL('sum by (job) (up{job="a#b"})'));
  });

  it('keeps # inside string literals', () => {
    expect(stripPromQLComments('x{a="#1", b=`#2`} # c')).toBe('x{a="#1", b=`#2`} \n');
  });
});
