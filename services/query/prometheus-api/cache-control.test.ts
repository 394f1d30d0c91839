import { describe, expect, it } from 'vitest';
import { cacheControlOf } from './cache-control.ts';

describe('cacheControlOf', () => {
  it('reads no-store and no-cache, in any case and among other directives', () => {
    expect(cacheControlOf({ 'cache-control': 'No-Cache' })).toEqual({ cacheControl: 'no-cache' });
    expect(cacheControlOf({ 'cache-control': 'max-age=0, no-store' })).toEqual({ cacheControl: 'no-store' });
    expect(cacheControlOf({ 'cache-control': 'no-cache, no-store' })).toEqual({ cacheControl: 'no-store' });
    expect(cacheControlOf({ 'cache-control': 'max-age=0' })).toEqual({});
    expect(cacheControlOf({})).toEqual({});
  });

  it('takes Pragma: no-cache only when no Cache-Control is sent', () => {
    expect(cacheControlOf({ pragma: 'no-cache' })).toEqual({ cacheControl: 'no-cache' });
    expect(cacheControlOf({ pragma: 'no-cache', 'cache-control': 'max-age=60' })).toEqual({});
  });
});
