import type { Logger } from '../../../libs/logging/logger.ts';
import type { NotifiableAlert } from '../engine/notifiable.ts';
import { notificationData } from './notification-data.ts';
import { needsUpdate, type NotificationLog, type NotificationRecord } from './notification-log.ts';
import { NotifyError, type AttemptReport, type Integration } from './receivers/integration.ts';
import { withRetry, type RetryPolicy } from './retry.ts';

/** Retries and timeout of one receiver's integrations (alerting.notification, with per-receiver overrides). */
export interface DeliverySettings {
  retry: RetryPolicy;
  timeoutMs: number;
}

export type NotificationOutcome = 'sent' | 'failed' | 'muted' | 'retried';

export interface DeliveryOptions {
  nflog: NotificationLog;
  externalUrl: string;
  logger: Logger;
  now: () => number;
  settings: (receiver: string) => DeliverySettings;
  onNotification?: (r: { receiver: string; integration: string; result: NotificationOutcome }) => void;
}

/** One group's flush to one integration: what it has to say, the route it came by, the time of the flush. */
export interface DeliveryJob {
  groupKey: string;
  groupLabels: Record<string, string>;
  receiver: string;
  repeatIntervalMs: number;
  integ: Integration;
  active: NotifiableAlert[];
  firing: ReadonlySet<string>;
  resolved: ReadonlySet<string>;
  now: number;
}

const MAX_ATTEMPT_LOG = 20;

/**
 * Alertmanager's per-integration stages (notify/notify.go DedupStage, RetryStage, SetNotifiesStage): skip what the
 * notification log says was already sent, send with retries, remember what was sent. Every attempt is in the
 * notification log: the series is one record, written at the first failure (result `retrying`) and rewritten at
 * each attempt until it ends `sent` or `failed`. A route muted by its time intervals gets one `muted` record per
 * distinct content, naming the intervals, and nothing is remembered as sent (so it goes out once the mute ends).
 */
export class Delivery {
  private readonly lastMuted = new Map<string, string>();

  constructor(private readonly opts: DeliveryOptions) {}

  private name(integ: Integration): string {
    return `${integ.type}[${integ.index}]`;
  }

  private async due(job: DeliveryJob): Promise<boolean> {
    const entry = await this.opts.nflog.lastSent(job.groupKey, job.receiver, this.name(job.integ));
    return needsUpdate(entry, {
      firing: job.firing,
      resolved: job.resolved,
      sendResolved: job.integ.sendResolved,
      repeatMs: job.repeatIntervalMs,
      now: job.now,
    });
  }

  private toSend(job: DeliveryJob): NotifiableAlert[] {
    return job.integ.sendResolved ? job.active : job.active.filter((a) => job.firing.has(a.fingerprint));
  }

  private base(
    job: DeliveryJob,
    alerts: NotifiableAlert[],
    status: NotificationRecord['status'],
  ): Omit<NotificationRecord, 'result' | 'attempts' | 'durationMs'> {
    return {
      time: this.opts.now(),
      receiver: job.receiver,
      integration: job.integ.type,
      target: job.integ.target,
      groupKey: job.groupKey,
      status,
      alertnames: [...new Set(alerts.map((a) => a.labels.alertname ?? ''))].join(','),
      alerts: alerts.length,
      fingerprints: alerts.map((a) => a.fingerprint),
    };
  }

  /** Records a muted notification once per content; returns true (the flush goes on as if it had been sent). */
  async muted(job: DeliveryJob, reasons: string[]): Promise<boolean> {
    if (!(await this.due(job))) return true;
    const alerts = this.toSend(job);
    if (alerts.length === 0) return true;
    const key = `${job.groupKey}\u0000${job.receiver}\u0000${this.name(job.integ)}`;
    const content = `${[...job.firing].sort().join(',')}|${[...job.resolved].sort().join(',')}|${reasons.join(',')}`;
    if (this.lastMuted.get(key) === content) return true;
    this.lastMuted.set(key, content);
    const status = alerts.some((a) => job.firing.has(a.fingerprint)) ? 'firing' : 'resolved';
    await this.opts.nflog.record({
      ...this.base(job, alerts, status),
      result: 'muted',
      attempts: 0,
      durationMs: 0,
      mutedBy: reasons,
    });
    this.opts.onNotification?.({ receiver: job.receiver, integration: job.integ.type, result: 'muted' });
    this.opts.logger.info(
      { receiver: job.receiver, integration: this.name(job.integ), group: job.groupKey, mutedBy: reasons },
      'notification muted by time interval',
    );
    return true;
  }

  /** Sends if the notification log says there is something new; true when nothing is left to retry. */
  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<boolean> {
    if (!(await this.due(job))) return true;
    this.lastMuted.delete(`${job.groupKey}\u0000${job.receiver}\u0000${this.name(job.integ)}`);
    const alerts = this.toSend(job);
    const name = this.name(job.integ);
    const mark = () =>
      this.opts.nflog.markSent({
        groupKey: job.groupKey,
        receiver: job.receiver,
        integration: name,
        firing: [...job.firing],
        resolved: [...job.resolved],
        at: job.now,
      });
    if (alerts.length === 0) return mark().then(() => true);
    const data = notificationData({
      receiver: job.receiver,
      groupKey: job.groupKey,
      groupLabels: job.groupLabels,
      alerts,
      now: job.now,
      externalUrl: this.opts.externalUrl,
    });
    const settings = this.opts.settings(job.receiver);
    const timeoutMs = job.integ.timeoutMs ?? settings.timeoutMs;
    const log = this.opts.logger.child({ receiver: job.receiver, integration: name, group: job.groupKey });
    const started = this.opts.now();
    const attemptLog: NonNullable<NotificationRecord['attemptLog']> = [];
    const base = this.base(job, alerts, data.Status);
    let recordId: string | undefined;
    let attemptStart = started;
    // Set inside the attempt closure (a plain `let` would be narrowed to its initial value after it).
    const last: { report?: AttemptReport | void } = {};
    const outcome = await withRetry(
      async () => {
        attemptStart = this.opts.now();
        last.report = await job.integ.notify(data, signal, { timeoutMs });
      },
      settings.retry,
      {
        signal,
        onFailure: async ({ error, attempt, retryInMs }) => {
          const status = error instanceof NotifyError ? error.details.status : undefined;
          attemptLog.push({
            at: attemptStart,
            durationMs: this.opts.now() - attemptStart,
            ok: false,
            ...(status ? { status } : {}),
            error: error.message,
            ...(retryInMs !== undefined ? { retryInMs } : {}),
          });
          log.warn({ attempt, status, err: error.message, retryInMs }, 'notification attempt failed');
          if (retryInMs === undefined) return;
          this.opts.onNotification?.({ receiver: job.receiver, integration: job.integ.type, result: 'retried' });
          const record: NotificationRecord = {
            ...base,
            result: 'retrying',
            attempts: attempt,
            error: error.message,
            durationMs: this.opts.now() - started,
            attemptLog: attemptLog.slice(-MAX_ATTEMPT_LOG),
          };
          if (recordId) await this.opts.nflog.update(recordId, record);
          else recordId = await this.opts.nflog.record(record);
        },
      },
    );
    if (!outcome.error) {
      const status = last.report?.status;
      attemptLog.push({
        at: attemptStart,
        durationMs: this.opts.now() - attemptStart,
        ok: true,
        ...(status ? { status } : {}),
      });
      await mark();
    }
    const final: NotificationRecord = {
      ...base,
      result: outcome.error ? 'failed' : 'sent',
      attempts: outcome.attempts,
      ...(outcome.error ? { error: outcome.error.message } : {}),
      durationMs: this.opts.now() - started,
      attemptLog: attemptLog.slice(-MAX_ATTEMPT_LOG),
    };
    if (recordId) await this.opts.nflog.update(recordId, final);
    else await this.opts.nflog.record(final);
    this.opts.onNotification?.({
      receiver: job.receiver,
      integration: job.integ.type,
      result: outcome.error ? 'failed' : 'sent',
    });
    if (outcome.error) log.error({ attempts: outcome.attempts, err: outcome.error.message }, 'notification failed');
    return !outcome.error;
  }
}
