import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { federationConfigSchema } from '../../../libs/config/sections/federation.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { frontFederation } from './federation-frontend.ts';
import type { FederatedQueryService, FederatedResult } from './federation.types.ts';

const answer = (time: number): FederatedResult => ({ resultType: 'vector', result: [{ metric: { cluster: 'east' }, value: [time, '1'] }], warnings: [], clusters: { east: { status: 'ok' } } });

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
  async series() {
    return { data: [{ __name__: 'up', cluster: 'east' }], warnings: [] };
  }
  async labelNames() {
    return { data: ['cluster'], warnings: [] };
  }
  async labelValues() {
    return { data: ['east'], warnings: [] };
  }
  clusters() {
    return ['east'];
  }
  async buildInfo() {
    this.versionsAsked.push('yes');
    return { members: { east: { version: '3.16.0' } } };
  }
}

function setup(cache: Record<string, unknown> = {}) {
  const engine = new CountingEngine();
  const limits = federationConfigSchema.parse({ cache });
  const f = frontFederation({ engine, clusters: [], limits, metrics: new Registry(), logger: createLogger('silent'), now: () => 2_000_000_000_000 });
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
    expect(await (fed as unknown as CountingEngine).buildInfo()).toEqual({ members: { east: { version: '3.16.0' } } });
    expect(engine.versionsAsked.length).toBeGreaterThan(0);
  });

  it('federation.cache.enabled: false sends every query to the engine', async () => {
    const { engine, fed } = setup({ enabled: false });
    await fed.instant({ query: 'up', time: 1_700_000_000 });
    await fed.instant({ query: 'up', time: 1_700_000_000 });
    expect(engine.instants).toBe(2);
  });

  it('config: durations are checked at boot', () => {
    expect(() => federationConfigSchema.parse({ cache: { maxFreshness: 'soon' } })).toThrow();
    expect(() => federationConfigSchema.parse({ cache: { backend: 'redis' } })).toThrow();
    expect(() => federationConfigSchema.parse({ cache: { memcached: { servers: ['no-port'] } } })).toThrow();
    expect(federationConfigSchema.parse({}).cache).toMatchObject({ enabled: true, backend: 'memory', maxFreshness: '5m', splitInterval: '24h' });
  });
});
