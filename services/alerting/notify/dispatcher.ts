import type { Logger } from '../../../libs/logging/logger.ts';
import { isResolved, type AlertSink, type NotifiableAlert } from '../engine/notifiable.ts';
import { Delivery, type DeliverySettings, type NotificationOutcome } from './delivery.ts';
import type { Inhibitor } from './inhibitor.ts';
import type { NotificationLog } from './notification-log.ts';
import type { Integration } from './receivers/integration.ts';
import type { RetryPolicy } from './retry.ts';
import { groupKey, groupLabels, matchRoutes, type RouteNode } from './route.ts';
import type { SilenceRepository } from './silences.ts';
import { TimeIntervals } from './time-intervals.ts';

interface Group {
  key: string;
  route: RouteNode;
  labels: Record<string, string>;
  alerts: Map<string, NotifiableAlert>;
  nextFlush: number;
  flushing: boolean;
  hasFlushed: boolean;
}

export interface DispatcherOptions {
  route: RouteNode;
  receivers: ReadonlyMap<string, Integration[]>;
  silences: Pick<SilenceRepository, 'mutedBy'>;
  inhibitor: Inhibitor;
  nflog: NotificationLog;
  /** The default retry policy; `settings` may give each receiver its own (and each attempt's timeout). */
  retry: RetryPolicy;
  settings?: (receiver: string) => DeliverySettings;
  /** Named time intervals the routes refer to. */
  intervals?: TimeIntervals;
  externalUrl: string;
  logger: Logger;
  now?: () => number;
  /** Resolved alerts are forgotten this long after they ended. */
  retentionMs?: number;
  onNotification?: (r: { receiver: string; integration: string; result: NotificationOutcome }) => void;
}

/**
 * Alertmanager's dispatcher and notification pipeline (dispatch/dispatch.go, notify/notify.go): alerts are routed
 * into aggregation groups, each flushed after group_wait and then every group_interval; a flush drops silenced and
 * inhibited alerts, asks the persisted notification log whether anything changed (or repeat_interval passed), and
 * sends with retries. One flush of a group at a time, so a slow retry never causes a duplicate.
 */
export class Dispatcher implements AlertSink {
  private readonly alerts = new Map<string, NotifiableAlert>();
  private readonly groups = new Map<string, Group>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;
  private abort = new AbortController();
  private readonly delivery: Delivery;
  private readonly intervals: TimeIntervals;

  constructor(private readonly opts: DispatcherOptions) {
    this.now = opts.now ?? Date.now;
    this.intervals = opts.intervals ?? new TimeIntervals([]);
    this.delivery = new Delivery({
      nflog: opts.nflog,
      externalUrl: opts.externalUrl,
      logger: opts.logger,
      now: this.now,
      settings: opts.settings ?? (() => ({ retry: opts.retry, timeoutMs: 10_000 })),
      ...(opts.onNotification ? { onNotification: opts.onNotification } : {}),
    });
  }

  put(alerts: readonly NotifiableAlert[]): void {
    const now = this.now();
    for (const alert of alerts) {
      const prev = this.alerts.get(alert.fingerprint);
      // Alertmanager merges repeated sends of one alert: the earliest start wins.
      const merged =
        prev && !isResolved(prev, now) ? { ...alert, startsAt: Math.min(prev.startsAt, alert.startsAt) } : alert;
      this.alerts.set(alert.fingerprint, merged);
      for (const route of matchRoutes(this.opts.route, merged.labels)) this.insert(route, merged, now);
    }
  }

  private insert(route: RouteNode, alert: NotifiableAlert, now: number): void {
    const labels = groupLabels(route, alert.labels);
    const key = groupKey(route, labels);
    let g = this.groups.get(key);
    if (!g) {
      g = {
        key,
        route,
        labels,
        alerts: new Map(),
        nextFlush: now + route.groupWaitMs,
        flushing: false,
        hasFlushed: false,
      };
      this.groups.set(key, g);
    }
    g.alerts.set(alert.fingerprint, alert);
    // As Alertmanager: an alert that started longer than group_wait ago (e.g. restored after a restart) flushes at
    // once.
    if (!g.hasFlushed && alert.startsAt + route.groupWaitMs <= now) g.nextFlush = Math.min(g.nextFlush, now);
  }

  /** Every alert the dispatcher knows, for the Alertmanager API. */
  all(): NotifiableAlert[] {
    return [...this.alerts.values()];
  }

  receiversFor(labels: Readonly<Record<string, string>>): string[] {
    return [...new Set(matchRoutes(this.opts.route, labels).map((r) => r.receiver))];
  }

  async status(alert: NotifiableAlert): Promise<{ silencedBy: string[]; inhibitedBy: string[] }> {
    return {
      silencedBy: await this.opts.silences.mutedBy(alert.labels),
      inhibitedBy: this.opts.inhibitor.inhibitedBy(alert.fingerprint, alert.labels, this.firing()),
    };
  }

  private firing(): NotifiableAlert[] {
    const now = this.now();
    return [...this.alerts.values()].filter((a) => !isResolved(a, now));
  }

  /** Flushes every group that is due; call on a timer (only on the leader). */
  tick(): void {
    const now = this.now();
    this.gc(now);
    for (const g of this.groups.values()) {
      if (g.flushing || now < g.nextFlush) continue;
      g.flushing = true;
      const p = this.flush(g)
        .catch((err: unknown) => this.opts.logger.error({ err, group: g.key }, 'flush failed'))
        .finally(() => {
          g.flushing = false;
          g.hasFlushed = true;
          g.nextFlush = Math.max(g.nextFlush, this.now()) + g.route.groupIntervalMs;
          this.inFlight.delete(p);
        });
      this.inFlight.add(p);
    }
  }

  private async flush(g: Group): Promise<void> {
    const now = this.now();
    const firingAll = this.firing();
    const active: NotifiableAlert[] = [];
    for (const a of g.alerts.values()) {
      const muted =
        (await this.opts.silences.mutedBy(a.labels)).length > 0 ||
        this.opts.inhibitor.inhibitedBy(a.fingerprint, a.labels, firingAll).length > 0;
      if (!muted) active.push(a);
    }
    const firing = new Set(active.filter((a) => !isResolved(a, now)).map((a) => a.fingerprint));
    const resolved = new Set(active.filter((a) => isResolved(a, now)).map((a) => a.fingerprint));
    const integrations = this.opts.receivers.get(g.route.receiver) ?? [];
    // The route's time intervals are checked at the flush, as Alertmanager's TimeActiveStage/TimeMuteStage do.
    const mutedBy = this.intervals.mutedBy(g.route, now);
    const results = await Promise.all(
      integrations.map((integ) => {
        const job = {
          groupKey: g.key,
          groupLabels: g.labels,
          receiver: g.route.receiver,
          repeatIntervalMs: g.route.repeatIntervalMs,
          integ,
          active,
          firing,
          resolved,
          now,
        };
        return mutedBy.length ? this.delivery.muted(job, mutedBy) : this.delivery.deliver(job, this.abort.signal);
      }),
    );
    if (results.every(Boolean)) {
      // Resolved alerts that were part of a successful flush leave the group, as in Alertmanager.
      for (const fp of resolved) {
        const a = g.alerts.get(fp);
        if (a && isResolved(a, this.now())) g.alerts.delete(fp);
      }
      if (g.alerts.size === 0) this.groups.delete(g.key);
    }
  }

  private gc(now: number): void {
    const retention = this.opts.retentionMs ?? 15 * 60_000;
    for (const [fp, a] of this.alerts) if (a.endsAt !== undefined && a.endsAt + retention < now) this.alerts.delete(fp);
  }

  /** Resolves when no flush is running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Stops retries and waits for in-flight flushes (they end quickly once aborted). */
  async stop(): Promise<void> {
    this.abort.abort(new Error('alerting is stopping'));
    await Promise.allSettled([...this.inFlight]);
    this.abort = new AbortController();
  }
}
