import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FULL_SCOPE } from '../../../libs/auth/principal.ts';
import type { AlertingModule } from '../alerting.module.ts';
import { fakeSources, testModule } from '../testing/fakes.ts';

const PAY = { clusters: ['*'], namespaces: ['payments'] };
const GROUP = {
  name: 'svc',
  interval: '1m',
  rules: [
    { alert: 'PodDown', expr: 'kube_pod_down > 0' },
    { alert: 'Other', expr: 'other > 0' },
  ],
};
const eq = (name: string, value: string) => ({ name, value, isRegex: false, isEqual: true });
const silence = (matchers: ReturnType<typeof eq>[]) => ({
  matchers,
  startsAt: Date.now(),
  endsAt: Date.now() + 3600_000,
  createdBy: 'me',
  comment: '',
});

/** The services the routes are adapters over, called with a Scope and no request. */
describe('alerting services', () => {
  let module: AlertingModule;
  beforeAll(async () => {
    const sample = (namespace: string, t: number) => ({
      metric: { cluster: 'east', namespace, pod: `p-${namespace}` },
      value: [t, '1'] as [number, string],
    });
    ({ module } = await testModule(
      { receivers: [{ name: 'default' }] },
      fakeSources((q) => ({
        result: q.query === 'kube_pod_down > 0' ? [sample('shop', q.time), sample('payments', q.time)] : [],
      })),
    ));
    await module.services.rules.create(GROUP);
    await module.engine.evaluateGroup(module.catalog.groups()[0]!, 1_000_000, AbortSignal.timeout(5000));
  });
  afterAll(async () => module.stop());

  it('lists active alerts within the scope, oldest first', async () => {
    const { alerts } = module.services;
    const all = await alerts.active(FULL_SCOPE, { matchers: [] });
    expect(all.alerts.map((a) => a.labels.namespace).sort()).toEqual(['payments', 'shop']);
    const pay = await alerts.active(PAY, { matchers: [] });
    expect(pay.alerts.map((a) => a.labels.namespace)).toEqual(['payments']);
    expect((await alerts.active(FULL_SCOPE, { state: 'pending', matchers: [] })).alerts).toEqual([]);
    expect((await alerts.active(FULL_SCOPE, { state: 'firing', matchers: [] })).alerts).toHaveLength(2);
    const history = await alerts.history(PAY, { matchers: [], limit: 10 });
    expect(history.items.map((e) => `${e.labels.namespace} ${e.from}→${e.to}`).sort()).toEqual([
      'payments inactive→pending',
      'payments pending→firing',
    ]);
  });

  it('shows rule groups only to unrestricted scopes, and a replace forgets the state of dropped rules', async () => {
    const { rules } = module.services;
    expect(rules.list(PAY)).toEqual({ groups: [], fileProblems: [] });
    expect(() => rules.get(PAY, 'svc')).toThrow(expect.objectContaining({ code: 'PHAROS_ERR_NOT_FOUND' }));
    const listed = rules.list(FULL_SCOPE).groups[0]!;
    expect(listed.rules.map((r) => [r.name, r.activeAlerts])).toEqual([
      ['PodDown', 2],
      ['Other', 0],
    ]);
    const podDown = module.catalog.groups()[0]!.rules[0]!.key;
    expect(module.engine.ruleStates().has(podDown)).toBe(true);
    await rules.replace({ name: 'svc', spec: { ...GROUP, rules: [GROUP.rules[1]!] } });
    expect(module.engine.ruleStates().has(podDown)).toBe(false);
    expect((await module.services.alerts.active(FULL_SCOPE, { matchers: [] })).alerts).toEqual([]);
  });

  it('keeps a restricted creator’s silence in its scope and hides it from others (not found)', async () => {
    const { silences } = module.services;
    await expect(silences.upsert(PAY, silence([eq('alertname', 'A')]))).rejects.toMatchObject({
      code: 'PHAROS_ERR_FORBIDDEN',
    });
    const own = await silences.upsert(PAY, silence([eq('namespace', 'payments'), eq('alertname', 'A')]));
    expect(own.status.state).toBe('active');
    expect((await silences.list(PAY, [])).map((s) => s.id)).toContain(own.id);
    const global = await silences.upsert(FULL_SCOPE, silence([eq('alertname', 'B')]));
    await expect(silences.get(PAY, global.id)).rejects.toMatchObject({ code: 'PHAROS_ERR_NOT_FOUND' });
    await expect(silences.expire(PAY, global.id)).rejects.toMatchObject({ code: 'PHAROS_ERR_NOT_FOUND' });
    // An unrestricted editor's update keeps the silence in its creator's scope.
    await silences.upsert(FULL_SCOPE, { ...silence([eq('alertname', 'A2')]), id: own.id });
    expect((await silences.get(PAY, own.id)).matchers).toEqual([eq('alertname', 'A2')]);
    expect((await silences.list(FULL_SCOPE, ['alertname="B"'])).map((s) => s.id)).toEqual([global.id]);
  });

  it('previews a receiver with the default sample alert', () => {
    const { receivers } = module.services;
    expect(receivers.names()).toEqual(['default']);
    expect(receivers.preview('default', undefined)).toEqual({ previews: [] });
    expect(() => receivers.preview('nope', undefined)).toThrow(
      expect.objectContaining({ code: 'PHAROS_ERR_NOT_FOUND' }),
    );
  });
});
