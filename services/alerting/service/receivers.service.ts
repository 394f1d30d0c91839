import { NotFoundError } from '../../../libs/errors/errors.ts';
import type { NotificationLog } from '../notify/notification-log.ts';
import { notificationData, type NotificationData } from '../notify/notification-data.ts';
import { NotifyError, type Integration } from '../notify/receivers/integration.ts';

/** A sample alert to preview or test-send a receiver with. */
export interface SampleAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: 'firing' | 'resolved';
}

export interface NotificationsQuery {
  receiver?: string | undefined;
  result?: 'sent' | 'failed' | 'muted' | 'retrying' | undefined;
  status?: 'firing' | 'resolved' | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface ReceiversServiceOptions {
  receivers: ReadonlyMap<string, Integration[]>;
  nflog: Pick<NotificationLog, 'list'>;
  /** A receiver's attempt timeout (alerting.notification, overridden per receiver). */
  timeoutMs: (receiver: string) => number;
  externalUrl: string;
}

/** What test-send and preview use when the caller gives no alerts. */
const DEFAULT_SAMPLE: SampleAlert = {
  labels: { alertname: 'PharosTestAlert', severity: 'none' },
  annotations: { summary: 'Test notification from Pharos' },
  status: 'firing',
};

/**
 * Receivers, their previews and test sends, and the notification log. All of it names the organisation's
 * addresses and URLs, so callers check for an unrestricted scope first (libs/tenancy/alert-scope.ts).
 */
export class ReceiversService {
  constructor(private readonly opts: ReceiversServiceOptions) {}

  names(): string[] {
    return [...this.opts.receivers.keys()];
  }

  list() {
    return {
      receivers: [...this.opts.receivers].map(([name, list]) => ({
        name,
        integrations: list.map((i) => ({ ...integrationId(i), sendResolved: i.sendResolved })),
      })),
    };
  }

  /** What each integration of the receiver would send for these alerts. */
  preview(name: string, alerts: readonly SampleAlert[] | undefined) {
    const { integrations, data } = this.sample(name, alerts);
    return { previews: integrations.map((i) => ({ ...integrationId(i), rendered: safe(() => i.render(data)) })) };
  }

  /** One attempt per integration, no retries: the answer says at once whether the receiver works. */
  async test(name: string, alerts: readonly SampleAlert[] | undefined) {
    const { integrations, data } = this.sample(name, alerts);
    const timeoutMs = this.opts.timeoutMs(name);
    const results = await Promise.all(integrations.map((i) => attempt(i, { data, timeoutMs })));
    return { results };
  }

  async notifications(query: NotificationsQuery) {
    const { receiver, result, status, limit, cursor } = query;
    const page = await this.opts.nflog.list({
      ...(receiver ? { receiver } : {}),
      ...(result ? { result } : {}),
      ...(status ? { status } : {}),
      limit,
      ...(cursor ? { cursor } : {}),
    });
    return { items: page.items.map((n) => ({ ...n, time: new Date(n.time).toISOString() })), next: page.next };
  }

  private sample(name: string, alerts: readonly SampleAlert[] | undefined) {
    const integrations = this.opts.receivers.get(name);
    if (!integrations) throw new NotFoundError(`receiver "${name}" not found`);
    const { externalUrl } = this.opts;
    const now = Date.now();
    const list = (alerts ?? [DEFAULT_SAMPLE]).map((a, i) => ({
      fingerprint: `test${i}`,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: now - 60_000,
      ...(a.status === 'resolved' ? { endsAt: now } : {}),
      generatorURL: externalUrl,
      updatedAt: now,
    }));
    const data = notificationData({
      receiver: name,
      groupKey: `{}/test:{}`,
      groupLabels: {},
      alerts: list,
      now,
      externalUrl,
    });
    return { integrations, data };
  }
}

const integrationId = (i: Integration) => ({ type: i.type, index: i.index, target: i.target });

async function attempt(i: Integration, send: { data: NotificationData; timeoutMs: number }) {
  const { data, timeoutMs } = send;
  try {
    const report = await i.notify(data, AbortSignal.timeout(Math.max(timeoutMs, i.timeoutMs ?? 0) + 1000), {
      timeoutMs,
    });
    return { ...integrationId(i), ok: true, ...(report?.status ? { status: report.status } : {}) };
  } catch (err) {
    const status = err instanceof NotifyError ? err.details.status : undefined;
    return { ...integrationId(i), ok: false, error: (err as Error).message, ...(status ? { status } : {}) };
  }
}

function safe(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (err) {
    return { error: (err as Error).message };
  }
}
