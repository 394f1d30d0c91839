import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The alert engine's own metrics, on the process registry; reused when a second engine shares it (tests, bench). */
export interface AlertingMetrics {
  evaluations: Counter<'group'>;
  missed: Counter<'group'>;
  failures: Counter<'group'>;
  duration: Histogram<'group'>;
  leader: Gauge;
  notifications: Counter<'receiver' | 'integration' | 'result'>;
  deliveries: Counter<'integration' | 'result'>;
}

function once<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function alertingMetrics(registry: Registry): AlertingMetrics {
  const registers = [registry];
  return {
    evaluations: once(
      registry,
      'pharos_alerting_group_evaluations_total',
      () =>
        new Counter({
          name: 'pharos_alerting_group_evaluations_total',
          help: 'Rule group evaluations run.',
          labelNames: ['group'],
          registers,
        }),
    ),
    missed: once(
      registry,
      'pharos_alerting_group_missed_evaluations_total',
      () =>
        new Counter({
          name: 'pharos_alerting_group_missed_evaluations_total',
          help: 'Evaluations skipped because the previous one of the group overran its interval.',
          labelNames: ['group'],
          registers,
        }),
    ),
    failures: once(
      registry,
      'pharos_alerting_group_evaluation_failures_total',
      () =>
        new Counter({
          name: 'pharos_alerting_group_evaluation_failures_total',
          help: 'Group evaluations that threw.',
          labelNames: ['group'],
          registers,
        }),
    ),
    duration: once(
      registry,
      'pharos_alerting_group_evaluation_seconds',
      () =>
        new Histogram({
          name: 'pharos_alerting_group_evaluation_seconds',
          help: 'Time to evaluate a rule group.',
          labelNames: ['group'],
          buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
          registers,
        }),
    ),
    leader: once(
      registry,
      'pharos_alerting_leader',
      () =>
        new Gauge({
          name: 'pharos_alerting_leader',
          help: '1 while this instance holds the alerting lease (evaluates and notifies).',
          registers,
        }),
    ),
    notifications: once(
      registry,
      'pharos_alerting_notifications_total',
      () =>
        new Counter({
          name: 'pharos_alerting_notifications_total',
          help: 'Notifications by receiver, integration and result (sent, failed).',
          labelNames: ['receiver', 'integration', 'result'],
          registers,
        }),
    ),
    deliveries: once(
      registry,
      'pharos_notifications_total',
      () =>
        new Counter({
          name: 'pharos_notifications_total',
          help: 'Notifications by integration and result: sent, failed (gave up), muted (time interval), retried (an attempt failed and another follows).',
          labelNames: ['integration', 'result'],
          registers,
        }),
    ),
  };
}
