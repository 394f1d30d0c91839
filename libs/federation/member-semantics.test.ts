import { describe, expect, it } from 'vitest';
import { fleetSemantics } from './fleet-semantics.ts';
import { majorOf, MemberInfoCache, type MemberInfo } from './member-info.ts';
import {
  ClusterUnavailableError,
  type ApiAnswer,
  type ClusterClient,
  type ClusterConfig,
} from './prometheus.client.ts';

const cluster = (name: string): ClusterConfig => ({
  name,
  prometheus: { url: `http://${name}.invalid`, replicas: [], replicaLabel: 'replica', timeoutMs: 1000 },
});
const info = (version: string, features: string[] = [], evaluationIntervalMs = 15_000): MemberInfo => ({
  version,
  major: majorOf(version, {}),
  features,
  lookbackDeltaMs: 300_000,
  evaluationIntervalMs,
  checkedAt: 0,
});
const auto = { promqlVersion: 'auto' as const, experimentalFunctions: 'auto' as const };

describe('member versions (issue 16)', () => {
  it('reads the major from buildinfo, or for an unstamped build from a flag only one major has', () => {
    expect(majorOf('2.42.0+ds', {})).toBe(2);
    expect(majorOf('3.16.0', {})).toBe(3);
    expect(majorOf('', { 'storage.tsdb.allow-overlapping-blocks': 'false' })).toBe(2);
    expect(majorOf('', { 'web.enable-otlp-receiver': 'false' })).toBe(3);
    expect(majorOf('', {})).toBeUndefined();
  });

  it('asks each member once, again after a failure only every 10 s, and keeps what an answering member said', async () => {
    let t = 0;
    const calls: string[] = [];
    let down = false;
    const client: ClusterClient = {
      async call({ cluster: c, path }): Promise<ApiAnswer> {
        calls.push(`${c.name} ${path}`);
        if (down) throw new ClusterUnavailableError('down');
        if (path === 'status/buildinfo') return { data: { version: '3.16.0' }, warnings: [] };
        if (path === 'status/flags')
          return {
            data: { 'enable-feature': 'promql-experimental-functions', 'query.lookback-delta': '2m' },
            warnings: [],
          };
        return { data: { yaml: 'global:\n  evaluation_interval: 30s\n' }, warnings: [] };
      },
    };
    const cache = new MemberInfoCache({ clusters: [cluster('east')], client, refreshMs: 60_000, now: () => t });
    const east = (await cache.ensure(['east'])).get('east');
    expect(east).toMatchObject({
      version: '3.16.0',
      major: 3,
      features: ['promql-experimental-functions'],
      lookbackDeltaMs: 120_000,
      evaluationIntervalMs: 30_000,
    });
    await cache.ensure(['east']);
    expect(calls).toHaveLength(3);
    t = 61_000;
    down = true;
    expect((await cache.ensure(['east'])).get('east')).toMatchObject({ version: '3.16.0' });
  });
});

describe('fleet semantics', () => {
  it("serves the members' major; experimental functions when every member has them", () => {
    const s = fleetSemantics(
      new Map([
        ['a', info('3.16.0', ['promql-experimental-functions'])],
        ['b', info('3.16.1', ['promql-experimental-functions'])],
      ]),
      ['a', 'b'],
      auto,
    );
    expect(s).toMatchObject({
      mixed: false,
      servedVersion: '3.16.0',
      parse: { version: 3, experimental: true },
      eval: { version: 3, subqueryStepMs: 15_000 },
    });
    expect(
      fleetSemantics(
        new Map([
          ['a', info('3.16.0', ['promql-experimental-functions'])],
          ['b', info('3.16.0')],
        ]),
        ['a', 'b'],
        auto,
      ).parse.experimental,
    ).toBe(false);
  });

  it('a mixed fleet is served with the newest major and marked; one of its members alone with its own', () => {
    const infos = new Map([
      ['east', info('2.42.0+ds')],
      ['west', info('3.16.0')],
    ]);
    expect(fleetSemantics(infos, ['east', 'west'], auto)).toMatchObject({ mixed: true, parse: { version: 3 } });
    expect(fleetSemantics(infos, ['east'], auto)).toMatchObject({
      mixed: false,
      parse: { version: 2 },
      servedVersion: '2.42.0',
    });
  });

  it('promqlVersion overrides the versions; members disagreeing on evaluation_interval leave [5m:] undefined', () => {
    const infos = new Map([
      ['a', info('', [], 15_000)],
      ['b', info('', [], 60_000)],
    ]);
    const s = fleetSemantics(infos, ['a', 'b'], { promqlVersion: 3, experimentalFunctions: true });
    expect(s).toMatchObject({ mixed: false, parse: { version: 3, experimental: true, fillModifiers: true } });
    expect(s.eval.subqueryStepMs).toBeNaN();
    expect(fleetSemantics(infos, ['a', 'b'], auto).mixed).toBe(true);
  });
});
