import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../libs/logging/logger.ts';
import { SqliteStateStore } from '../../../libs/store/state/sqlite-state.store.ts';
import type { NotifiableAlert } from '../engine/notifiable.ts';
import { recordingIntegration } from '../testing/fakes.ts';
import { Dispatcher } from './dispatcher.ts';
import { Inhibitor } from './inhibitor.ts';
import { NotificationLog } from './notification-log.ts';
import { buildRoute } from './route.ts';
import { SilenceRepository } from './silences.ts';

async function setup(store?: SqliteStateStore) {
  const st = store ?? new SqliteStateStore(join(mkdtempSync(join(tmpdir(), 'pharos-disp-')), 's.db'));
  await st.init();
  const clock = { t: 1_000_000 };
  const integ = recordingIntegration();
  const d = new Dispatcher({
    route: buildRoute({
      receiver: 'r',
      group_by: ['alertname'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
    }),
    receivers: new Map([['r', [integ]]]),
    silences: new SilenceRepository(st, () => clock.t),
    inhibitor: new Inhibitor([
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['cluster'] },
    ]),
    nflog: new NotificationLog(st),
    retry: { initialMs: 1, maxMs: 1, giveUpAfterMs: 60_000, sleep: async () => undefined, now: () => clock.t },
    externalUrl: 'http://pharos.test',
    logger: createLogger('silent'),
    now: () => clock.t,
  });
  const step = async (ms: number) => {
    clock.t += ms;
    d.tick();
    await d.idle();
  };
  return { d, integ, clock, step, store: st };
}

const alert = (name: string, labels: Record<string, string>, startsAt: number): NotifiableAlert => ({
  fingerprint: `${name}-${JSON.stringify(labels)}`,
  labels: { alertname: name, ...labels },
  annotations: {},
  startsAt,
  generatorURL: 'x',
  updatedAt: startsAt,
});

describe('Dispatcher', () => {
  it('sends one firing and one resolved notification per episode, grouped, after group_wait', async () => {
    const { d, integ, clock, step } = await setup();
    d.put([alert('A', { cluster: 'east' }, clock.t), alert('A', { cluster: 'west' }, clock.t)]);
    await step(10_000);
    expect(integ.sent).toHaveLength(0);
    await step(25_000);
    expect(integ.sent).toHaveLength(1);
    expect(integ.sent[0]?.Alerts.map((a) => a.Labels.cluster)).toEqual(['east', 'west']);
    for (let i = 0; i < 5; i++) {
      d.put([alert('A', { cluster: 'east' }, clock.t), alert('A', { cluster: 'west' }, clock.t)]);
      await step(5 * 60_000);
    }
    expect(integ.sent).toHaveLength(1);
    d.put([
      { ...alert('A', { cluster: 'east' }, 0), endsAt: clock.t },
      { ...alert('A', { cluster: 'west' }, 0), endsAt: clock.t },
    ]);
    await step(5 * 60_000);
    expect(integ.sent.map((s) => s.Status)).toEqual(['firing', 'resolved']);
    await step(5 * 60_000);
    expect(integ.sent).toHaveLength(2);
  });

  it('does not notify again after a restart within repeat_interval, and repeats after it', async () => {
    const first = await setup();
    first.d.put([alert('B', {}, first.clock.t)]);
    await first.step(31_000);
    expect(first.integ.sent).toHaveLength(1);
    const second = await setup(first.store);
    second.clock.t = first.clock.t + 60_000;
    second.d.put([alert('B', {}, first.clock.t - 31_000)]);
    await second.step(1000);
    expect(second.integ.sent).toHaveLength(0);
    second.clock.t += 4 * 3600_000;
    second.d.put([alert('B', {}, first.clock.t - 31_000)]);
    await second.step(5 * 60_000);
    expect(second.integ.sent).toHaveLength(1);
  });

  it('retries a failing receiver and delivers exactly once', async () => {
    const { d, integ, clock, step } = await setup();
    integ.failing = true;
    let attempts = 0;
    const notify = integ.notify.bind(integ);
    integ.notify = async (data, signal) => {
      if (++attempts === 3) integ.failing = false;
      return notify(data, signal);
    };
    d.put([alert('C', {}, clock.t)]);
    await step(31_000);
    expect(integ.sent).toHaveLength(1);
    expect(attempts).toBe(3);
    await step(5 * 60_000);
    expect(integ.sent).toHaveLength(1);
  });

  it('mutes inhibited and silenced alerts', async () => {
    const { d, integ, clock, step, store } = await setup();
    await new SilenceRepository(store, () => clock.t).upsert({
      matchers: [{ name: 'alertname', value: 'Silenced', isRegex: false }],
      startsAt: clock.t - 1,
      endsAt: clock.t + 3600_000,
      createdBy: 't',
      comment: '',
    });
    d.put([
      alert('Crit', { severity: 'critical', cluster: 'east' }, clock.t),
      alert('Warn', { severity: 'warning', cluster: 'east' }, clock.t),
      alert('Warn', { severity: 'warning', cluster: 'west' }, clock.t),
      alert('Silenced', {}, clock.t),
    ]);
    await step(31_000);
    const sent = integ.sent
      .flatMap((s) => s.Alerts.map((a) => `${a.Labels.alertname}/${a.Labels.cluster ?? ''}`))
      .sort();
    expect(sent).toEqual(['Crit/east', 'Warn/west']);
  });
});
