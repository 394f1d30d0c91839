import { describe, expect, it } from 'vitest';
import { parseMatchers } from './matchers.ts';
import { buildRoute, groupKey, groupLabels, matchRoutes } from './route.ts';

const tree = buildRoute({
  receiver: 'default',
  group_by: ['alertname'],
  group_wait: '10s',
  routes: [
    { matchers: ['severity="critical"'], receiver: 'pager', continue: true, group_by: ['...'] },
    {
      match: { team: 'db' },
      receiver: 'db',
      repeat_interval: '1h',
      routes: [{ matchers: ['env=~"prod|stage"'], receiver: 'db-prod' }],
    },
    { matchers: ['team="db"'], receiver: 'never' },
  ],
});

describe('routing tree', () => {
  it('routes like Alertmanager: first match, continue, inheritance', () => {
    const names = (labels: Record<string, string>) => matchRoutes(tree, labels).map((r) => r.receiver);
    expect(names({ alertname: 'A' })).toEqual(['default']);
    expect(names({ alertname: 'A', severity: 'critical', team: 'db' })).toEqual(['pager', 'db']);
    expect(names({ alertname: 'A', team: 'db', env: 'prod' })).toEqual(['db-prod']);
    const dbProd = matchRoutes(tree, { team: 'db', env: 'stage' })[0]!;
    expect([dbProd.groupWaitMs, dbProd.repeatIntervalMs, dbProd.groupBy]).toEqual([10_000, 3600_000, ['alertname']]);
  });

  it('builds Alertmanager group keys', () => {
    expect(groupKey(tree, groupLabels(tree, { alertname: 'X', cluster: 'east' }))).toBe('{}:{alertname="X"}');
    const pager = matchRoutes(tree, { alertname: 'X', severity: 'critical' })[0]!;
    expect(groupKey(pager, groupLabels(pager, { alertname: 'X', severity: 'critical' }))).toBe(
      '{}/{severity="critical"}:{alertname="X", severity="critical"}',
    );
    const db = matchRoutes(tree, { team: 'db', env: 'prod' })[0]!;
    expect(db.key).toBe('{}/{team="db"}/{env=~"prod|stage"}');
  });

  it('parses matchers as amtool and Alertmanager write them', () => {
    expect(
      parseMatchers(['{alertname="A", cluster=~"e.*"}', 'x!=y', 'q!~"a,b"']).map((m) => [m.name, m.type, m.value]),
    ).toEqual([
      ['alertname', '=', 'A'],
      ['cluster', '=~', 'e.*'],
      ['x', '!=', 'y'],
      ['q', '!~', 'a,b'],
    ]);
    expect(() => parseMatchers(['nope'])).toThrow(/invalid matcher/);
    expect(() => parseMatchers(['a=~"("'])).toThrow(/regular expression/);
  });
});
