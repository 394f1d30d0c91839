import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../../libs/store/state-store.ts';
import type { AlertingModule } from '../../../services/alerting/alerting.module.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../stack/webhook-receiver.ts';
import { openSearchStore, RULE_GROUP, sleep, startModule, switchableSource } from './harness.ts';

describe('alert engine restarted while alerts fire', () => {
  let hook: WebhookReceiver;
  let store: StateStore;
  let drop: () => Promise<void>;
  const modules: AlertingModule[] = [];
  const src = switchableSource();
  const receivers = () => [{ name: 'team', webhook_configs: [{ url: `${hook.url}/hook` }] }];

  beforeAll(async () => {
    hook = await startWebhookReceiver();
    ({ store, drop } = await openSearchStore('restart'));
  });

  afterAll(async () => {
    for (const m of modules) await m.stop();
    await hook?.close();
    await store?.close();
    await drop?.();
  });

  it('loses nothing and does not notify again before repeat_interval', async () => {
    const first = startModule({ store, sources: src.sources, receivers: receivers(), holder: 'instance-a' });
    modules.push(first);
    await first.catalog.create(RULE_GROUP);
    await first.start();
    src.down.add('east/node-1:9100');
    src.down.add('west/node-7:9100');
    await hook.waitForRequests(2, 30_000);
    const before = [...first.engine.ruleStates().values()].flatMap((s) => s.alerts);
    expect(before.map((a) => a.state)).toEqual(['firing', 'firing']);
    await first.stop();

    // A new process on the same store: it takes the lease, reloads rules and state, and carries on.
    const second = startModule({ store, sources: src.sources, receivers: receivers(), holder: 'instance-b' });
    modules.push(second);
    await second.start();
    expect(second.scheduler.isLeader).toBe(true);
    await sleep(8000);
    expect(hook.requests).toHaveLength(2);
    const after = [...second.engine.ruleStates().values()].flatMap((s) => s.alerts);
    expect(after.map((a) => [a.fingerprint, a.state, a.activeAt, a.firedAt])).toEqual(
      before.map((a) => [a.fingerprint, 'firing', a.activeAt, a.firedAt]),
    );

    src.down.delete('east/node-1:9100');
    const [, , resolved] = await hook.waitForRequests(3, 30_000);
    expect(resolved?.json).toMatchObject({ status: 'resolved', groupLabels: { cluster: 'east' } });
    await sleep(4000);
    expect(hook.requests).toHaveLength(3);
  });

  it('lets only one of two running instances evaluate and notify', async () => {
    const a = startModule({ store, sources: src.sources, receivers: receivers(), holder: 'instance-c' });
    const b = startModule({ store, sources: src.sources, receivers: receivers(), holder: 'instance-d' });
    modules.push(a, b);
    for (const m of modules.slice(0, 2)) await m.stop();
    await Promise.all([a.start(), b.start()]);
    await sleep(2000);
    expect([a.scheduler.isLeader, b.scheduler.isLeader].filter(Boolean)).toHaveLength(1);
    const count = hook.requests.length;
    src.down.add('north/node-9:9100');
    await hook.waitForRequests(count + 1, 30_000);
    await sleep(5000);
    expect(hook.requests).toHaveLength(count + 1);
  });
});
