import type { StateStore } from '../../../libs/store/state-store.ts';
import { encodeCursor } from '../../../libs/store/state/state-keys.ts';
import type { ActiveAlert, Transition } from './alert-state.ts';

export const STATE_COLLECTION = 'alerting_rule_state';
export const HISTORY_COLLECTION = 'alerting_history';

export type RuleHealth = 'unknown' | 'ok' | 'partial' | 'err';

/** What the engine keeps per rule, persisted so a restart or a new leader carries on where it stopped. */
export interface RuleState {
  ruleKey: string;
  group: string;
  alertname: string;
  health: RuleHealth;
  lastError?: string;
  /** Per-cluster evaluation errors of the last evaluation: a failed cluster is visible, never a silent gap. */
  clusterErrors: Record<string, string>;
  lastEvaluation?: number;
  evaluationMs?: number;
  alerts: ActiveAlert[];
}

export interface HistoryEntry extends Transition {
  group: string;
  ruleKey: string;
  /** Copies of labels used as store filters (top-level string fields). */
  alertname: string;
  state: string;
}

/** Persistence of rule state and the transition history, over the shared state store. */
export class AlertRepository {
  private seq = 0;
  constructor(private readonly store: StateStore) {}

  async loadAll(signal?: AbortSignal): Promise<Map<string, RuleState>> {
    const out = new Map<string, RuleState>();
    let after: string | undefined;
    do {
      const page = await this.store.list<RuleState>(
        STATE_COLLECTION,
        { limit: 1000, ...(after ? { after } : {}) },
        signal,
      );
      for (const item of page.items) out.set(item.id, item.value);
      after = page.next ?? undefined;
    } while (after);
    return out;
  }

  async save(state: RuleState, signal?: AbortSignal): Promise<void> {
    await this.store.put(STATE_COLLECTION, { id: state.ruleKey, value: state }, signal);
  }

  async remove(ruleKey: string): Promise<void> {
    await this.store.delete(STATE_COLLECTION, ruleKey);
  }

  async appendHistory(
    entry: { group: string; ruleKey: string; transitions: readonly Transition[] },
    signal?: AbortSignal,
  ): Promise<void> {
    await this.saveMany([], [entry], signal);
  }

  /**
   * Everything one group evaluation changed, in as few store calls as the engine allows (one bulk per collection
   * where the store has putMany): per-document writes made OpenSearch the bottleneck at 1,000 rules.
   */
  async saveMany(
    states: readonly RuleState[],
    history: readonly { group: string; ruleKey: string; transitions: readonly Transition[] }[],
    signal?: AbortSignal,
  ): Promise<void> {
    const entries = history.flatMap((h) =>
      h.transitions.map((t) => ({
        // Ids sort by time, so listing in id order is listing in time order.
        id: `${String(t.time).padStart(14, '0')}-${t.fingerprint}-${(this.seq++ % 1e6).toString().padStart(6, '0')}`,
        value: { ...t, group: h.group, ruleKey: h.ruleKey, state: t.to } satisfies HistoryEntry,
      })),
    );
    const docs = states.map((s) => ({ id: s.ruleKey, value: s }));
    if (this.store.putMany) {
      await this.store.putMany(STATE_COLLECTION, docs, signal);
      await this.store.putMany(HISTORY_COLLECTION, entries, signal);
      return;
    }
    for (const d of docs) await this.store.put(STATE_COLLECTION, { id: d.id, value: d.value }, signal);
    for (const e of entries)
      await this.store.put(HISTORY_COLLECTION, { id: e.id, value: e.value, expectedVersion: 0 }, signal);
  }

  /** Deletes history entries older than `before` (epoch ms), oldest first, at most `max` per call. */
  async pruneHistory(before: number, max = 5000): Promise<number> {
    return pruneByTimeId(this.store, { collection: HISTORY_COLLECTION, before, max });
  }

  /**
   * History, newest first, filtered by alertname (in the store) and labels (here, scanning at most `scan`
   * entries per call), paged by the store's cursor.
   */
  async history(
    opts: { alertname?: string; labels?: Record<string, string>; state?: string; limit: number; cursor?: string },
    signal?: AbortSignal,
  ): Promise<{ items: HistoryEntry[]; next: string | null }> {
    const where: Record<string, string> = {};
    if (opts.alertname) where.alertname = opts.alertname;
    if (opts.state) where.state = opts.state;
    const items: HistoryEntry[] = [];
    let after = opts.cursor;
    let scanned = 0;
    for (;;) {
      const page = await this.store.list<HistoryEntry>(
        HISTORY_COLLECTION,
        { where, order: 'desc', limit: opts.limit, ...(after ? { after } : {}) },
        signal,
      );
      for (const item of page.items) {
        scanned++;
        if (Object.entries(opts.labels ?? {}).every(([k, v]) => item.value.labels[k] === v)) items.push(item.value);
        if (items.length === opts.limit)
          return {
            items,
            next: page.next === null && item === page.items[page.items.length - 1] ? null : encodeCursor(item.id),
          };
      }
      if (!page.next || scanned >= 10_000) return { items, next: page.next };
      after = page.next;
    }
  }
}

/** Collections whose ids start with a zero-padded epoch-ms time: delete the oldest until one is newer than `before`. */
export async function pruneByTimeId(
  store: StateStore,
  prune: { collection: string; before: number; max: number },
): Promise<number> {
  const { collection, before, max } = prune;
  let deleted = 0;
  while (deleted < max) {
    const page = await store.list(collection, { limit: Math.min(500, max - deleted) });
    const old = page.items.filter((i) => Number(i.id.slice(0, 14)) < before);
    for (const item of old) await store.delete(collection, item.id);
    deleted += old.length;
    if (old.length < page.items.length || !page.next) break;
  }
  return deleted;
}
