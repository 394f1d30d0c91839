import { createHash, randomBytes } from 'node:crypto';
import type { StateStore } from '../../../libs/store/state-store.ts';
import { pruneByTimeId } from '../engine/alert-repository.ts';

export const NFLOG_COLLECTION = 'alerting_nflog';
export const NOTIFICATIONS_COLLECTION = 'alerting_notifications';

/** What was last sent for one group to one integration (Alertmanager's nflog entry): the dedup memory. */
export interface NflogEntry {
  groupKey: string;
  receiver: string;
  integration: string;
  firing: string[];
  resolved: string[];
  at: number;
}

/** One line of the notification log (/v1/notifications): what, to whom, when, result. */
export interface NotificationRecord {
  time: number;
  receiver: string;
  integration: string;
  target: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  alertnames: string;
  alerts: number;
  fingerprints: string[];
  /** retrying: attempts failed and another follows (the record is updated until it ends sent or failed). */
  result: 'sent' | 'failed' | 'muted' | 'retrying';
  attempts: number;
  error?: string;
  durationMs: number;
  /** Why nothing was sent: the route's time intervals (result muted). */
  mutedBy?: string[];
  /** Every attempt: when, how long, the provider's HTTP status, the error (the last 20 kept). */
  attemptLog?: { at: number; durationMs: number; ok: boolean; status?: number; error?: string; retryInMs?: number }[];
}

/** What a flush would tell one integration, against which the last notification is compared. */
export interface FlushState {
  firing: ReadonlySet<string>;
  resolved: ReadonlySet<string>;
  sendResolved: boolean;
  repeatMs: number;
  now: number;
}

/**
 * Alertmanager's DedupStage.needsUpdate (notify/notify.go): notify when something new fires, when everything
 * resolved after a firing notification, when a resolution is new and the integration sends resolutions, or when
 * repeat_interval has passed.
 */
export function needsUpdate(entry: NflogEntry | undefined, flush: FlushState): boolean {
  const { firing, resolved, sendResolved, repeatMs, now } = flush;
  if (!entry) return firing.size > 0;
  const was = new Set(entry.firing);
  if (![...firing].every((f) => was.has(f))) return true;
  if (firing.size === 0) return entry.firing.length > 0;
  const wasResolved = new Set(entry.resolved);
  if (sendResolved && ![...resolved].every((r) => wasResolved.has(r))) return true;
  return entry.at <= now - repeatMs;
}

export class NotificationLog {
  constructor(private readonly store: StateStore) {}

  private static key(groupKey: string, receiver: string, integration: string): string {
    return createHash('sha256').update(`${groupKey}\u0000${receiver}\u0000${integration}`).digest('hex').slice(0, 32);
  }

  async lastSent(groupKey: string, receiver: string, integration: string): Promise<NflogEntry | undefined> {
    return (await this.store.get<NflogEntry>(NFLOG_COLLECTION, NotificationLog.key(groupKey, receiver, integration)))
      ?.value;
  }

  async markSent(entry: NflogEntry): Promise<void> {
    await this.store.put(NFLOG_COLLECTION, {
      id: NotificationLog.key(entry.groupKey, entry.receiver, entry.integration),
      value: entry,
    });
  }

  /** Adds a record and returns its id, which `update` takes to rewrite it (a retry series is one record). */
  async record(r: NotificationRecord): Promise<string> {
    const id = `${String(r.time).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
    await this.store.put(NOTIFICATIONS_COLLECTION, { id, value: r });
    return id;
  }

  async update(id: string, r: NotificationRecord): Promise<void> {
    await this.store.put(NOTIFICATIONS_COLLECTION, { id, value: r });
  }

  async prune(before: number, max = 5000): Promise<number> {
    return pruneByTimeId(this.store, { collection: NOTIFICATIONS_COLLECTION, before, max });
  }

  async list(opts: {
    receiver?: string;
    result?: string;
    status?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ items: NotificationRecord[]; next: string | null }> {
    const where: Record<string, string> = {};
    for (const k of ['receiver', 'result', 'status'] as const) if (opts[k]) where[k] = opts[k] as string;
    const page = await this.store.list<NotificationRecord>(NOTIFICATIONS_COLLECTION, {
      where,
      order: 'desc',
      limit: opts.limit,
      ...(opts.cursor ? { after: opts.cursor } : {}),
    });
    return { items: page.items.map((i) => i.value), next: page.next };
  }
}
