import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { federationConfigSchema } from '../config/sections/federation.ts';
import { createLogger } from '../logging/logger.ts';
import { frontFederation } from './federation-frontend.ts';
import type { FederatedQueryService, FederatedResult } from './federation.types.ts';

const answer = (time: number): FederatedResult => ({
  resultType: 'vector',
  result: [{ metric: { cluster: 'east' }, value: [time, '1'] }],
  warnings: [],
  clusters: { east: { status: 'ok' } },
});

/** An engine that counts its calls and has a method the interface does not name (as buildinfo is added later). */
class CountingEngine implements FederatedQueryService {
  instants = 0;
  readonly versionsAsked: string[] = [];
  async instant(q: { time: number }) {
    this.instants++;
    return answer(q.time);
  }
  async range(): Promise<FederatedResult> {
    return { resultType: 'matrix', result: [], warnings: [], clusters: {} };
  }
  readonly checked: string[] = [];
  async checkRange(q: { query: string }) {
    this.checked.push(q.query);
  }
  async series() {
    return { data: [{ __name__: 'up', cluster: 'east' }], warnings: [] };
  }
  async labelNames() {
    return { data: ['cluster'], warnings: [] };
  }
  readonly labelCalls: unknown[] = [];
  labelWarnings: string[] = [];
  async labelValues(name: string, q?: unknown) {
    this.labelCalls.push([name, q]);
    return { data: ['east'], warnings: this.labelWarnings };
  }
  clusters() {
    return ['east'];
  }
  async buildInfo() {
    this.versionsAsked.push('yes');
    return { version: '3.16.0', semantics: 'prometheus-3', members: { east: { version: '3.16.0' } } };
  }
}

function setup(cache: Record<string, unknown> = {}) {
  const engine = new CountingEngine();
  const limits = federationConfigSchema.parse({ cache });
  const f = frontFederation({
    engine,
    clusters: [],
    limits,
    metrics: new Registry(),
    logger: createLogger('silent'),
    now: () => 2_000_000_000_000,
  });
  return { engine, fed: f.service };
}

describe('frontFederation', () => {
  it('answers instant and range through the frontend, and everything else straight from the engine', async () => {
    const { engine, fed } = setup();
    expect(await fed.instant({ query: 'up', time: 1_700_000_000 })).toEqual(answer(1_700_000_000));
    expect(await fed.instant({ query: 'up', time: 1_700_000_000 })).toEqual(answer(1_700_000_000));
    expect(engine.instants).toBe(1);
    expect((await fed.series({ match: ['up'] })).data).toEqual([{ __name__: 'up', cluster: 'east' }]);
    expect(fed.clusters()).toEqual(['east']);
    // A method of the engine the interface does not list yet reaches it, bound to it.
    expect(await (fed as unknown as CountingEngine).buildInfo()).toEqual({
      version: '3.16.0',
      semantics: 'prometheus-3',
      members: { east: { version: '3.16.0' } },
    });
    expect(engine.versionsAsked.length).toBeGreaterThan(0);
  });

  it('checks the whole range request with the engine before splitting only when the text can hold a subquery', async () => {
    const { engine, fed } = setup();
    const window = { start: 1_700_000_000, end: 1_700_000_000 + 3 * 86_400, step: 3600 };
    await fed.range({ query: 'sum(rate(up[5m]))', ...window });
    await fed.range({ query: 'max_over_time(sum(up)[1h:1m])', ...window });
    expect(engine.checked).toEqual(['max_over_time(sum(up)[1h:1m])']);
  });

  it('federation.cache.enabled: false sends every query to the engine', async () => {
    const { engine, fed } = setup({ enabled: false });
    await fed.instant({ query: 'up', time: 1_700_000_000 });
    await fed.instant({ query: 'up', time: 1_700_000_000 });
    expect(engine.instants).toBe(2);
  });

  it('label values of a window older than maxFreshness are kept; a window reaching into it, or open, is not', async () => {
    const { engine, fed } = setup();
    const past = { start: 1_700_000_000, end: 1_700_003_600 };
    expect((await fed.labelValues('cluster', { ...past })).data).toEqual(['east']);
    expect((await fed.labelValues('cluster', { ...past })).data).toEqual(['east']);
    expect(engine.labelCalls).toHaveLength(1);
    // Other match[] or another label: another entry.
    await fed.labelValues('cluster', { ...past, match: ['up'] });
    await fed.labelValues('namespace', { ...past });
    expect(engine.labelCalls).toHaveLength(3);
    // The last 5 minutes (now is 2_000_000_000 s), or no end (up to now): always the engine.
    await fed.labelValues('cluster', { start: 1_999_999_000, end: 1_999_999_900 });
    await fed.labelValues('cluster', { start: 1_999_999_000, end: 1_999_999_900 });
    await fed.labelValues('cluster', {});
    await fed.labelValues('cluster', {});
    expect(engine.labelCalls).toHaveLength(7);
    // no-cache asks the engine afresh (and keeps that), no-store bypasses the cache.
    await fed.labelValues('cluster', { ...past, cacheControl: 'no-cache' });
    await fed.labelValues('cluster', { ...past, cacheControl: 'no-store' });
    expect(engine.labelCalls.slice(7)).toEqual([
      ['cluster', { ...past, cacheControl: 'no-cache' }],
      ['cluster', { ...past, cacheControl: 'no-store' }],
    ]);
  });

  it('label values with warnings (a cluster left out) are not kept; the cache switch bypasses them too', async () => {
    const { engine, fed } = setup();
    engine.labelWarnings = ['west: timed out'];
    const past = { start: 1_700_000_000, end: 1_700_003_600 };
    expect((await fed.labelValues('cluster', past)).warnings).toEqual(['west: timed out']);
    await fed.labelValues('cluster', past);
    expect(engine.labelCalls).toHaveLength(2);
    const off = setup({ enabled: false });
    await off.fed.labelValues('cluster', past);
    await off.fed.labelValues('cluster', past);
    expect(off.engine.labelCalls).toHaveLength(2);
  });

  it('config: durations are checked at boot', () => {
    expect(() => federationConfigSchema.parse({ cache: { maxFreshness: 'soon' } })).toThrow();
    expect(() => federationConfigSchema.parse({ cache: { backend: 'redis' } })).toThrow();
    expect(() => federationConfigSchema.parse({ cache: { memcached: { servers: ['no-port'] } } })).toThrow();
    expect(federationConfigSchema.parse({}).cache).toMatchObject({
      enabled: true,
      backend: 'memory',
      maxFreshness: '5m',
      splitInterval: '24h',
    });
  });
});
