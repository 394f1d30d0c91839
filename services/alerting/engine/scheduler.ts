import { createHash } from 'node:crypto';
import type { Logger } from '../../../libs/logging/logger.ts';
import type { StateStore } from '../../../libs/store/state-store.ts';
import type { CompiledGroup } from '../rules/compile.ts';
import type { AlertingMetrics } from './alerting-metrics.ts';

export const LEASE_NAME = 'alerting-leader';

export interface SchedulerOptions {
  store: Pick<StateStore, 'acquireLease' | 'releaseLease'>;
  holder: string;
  leaseTtlMs: number;
  tickMs: number;
  groups: () => CompiledGroup[];
  evaluate: (group: CompiledGroup, atMs: number, signal: AbortSignal) => Promise<void>;
  /** Called when this instance becomes leader, before its first evaluation (reload state, rules). */
  onLeader: () => Promise<void>;
  /** Every tick while leader (refresh rules, flush notifications). */
  onTick: () => void;
  metrics: AlertingMetrics;
  logger: Logger;
  now?: () => number;
}

interface Slot {
  next: number;
  running: boolean;
}

/**
 * Runs each group on its interval, at a fixed offset within the interval derived from the group id (as Prometheus
 * spreads groups), evaluating at the slot time so results do not depend on timer jitter. An evaluation still
 * running when its next slot comes makes that slot a missed evaluation (counted), never a pile-up.
 * Only the holder of the `alerting-leader` lease in the state store evaluates and notifies.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private leaseTimer: NodeJS.Timeout | undefined;
  private leader = false;
  private becoming: Promise<void> | undefined;
  private readonly slots = new Map<string, Slot>();
  private readonly running = new Set<Promise<void>>();
  private abort = new AbortController();
  private readonly now: () => number;

  constructor(private readonly opts: SchedulerOptions) {
    this.now = opts.now ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leader;
  }

  async start(): Promise<void> {
    await this.renewLease();
    this.leaseTimer = setInterval(() => void this.renewLease(), Math.max(100, Math.floor(this.opts.leaseTtlMs / 3)));
    this.timer = setInterval(() => this.tick(), this.opts.tickMs);
  }

  private async renewLease(): Promise<void> {
    let held = false;
    try {
      held = await this.opts.store.acquireLease({
        name: LEASE_NAME,
        holder: this.opts.holder,
        ttlMs: this.opts.leaseTtlMs,
      });
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'cannot renew the alerting lease; standing down');
    }
    if (held && !this.leader && !this.becoming) {
      this.becoming = this.opts
        .onLeader()
        .then(() => {
          this.leader = true;
          this.opts.metrics.leader.set(1);
          this.opts.logger.info({ holder: this.opts.holder }, 'alerting leader: evaluating and notifying');
        })
        .catch((err: unknown) => this.opts.logger.error({ err }, 'could not take over as alerting leader'))
        .finally(() => (this.becoming = undefined));
      await this.becoming;
    } else if (!held && this.leader) {
      this.leader = false;
      this.opts.metrics.leader.set(0);
      this.slots.clear();
      this.opts.logger.warn({ holder: this.opts.holder }, 'lost the alerting lease: another instance leads');
    }
  }

  /** The first slot at or after `now` for a group: multiples of the interval, shifted by the group's offset. */
  static slotAfter(group: CompiledGroup, now: number): number {
    const offset = Number(
      BigInt(`0x${createHash('sha256').update(group.id).digest('hex').slice(0, 12)}`) % BigInt(group.intervalMs),
    );
    const base = Math.floor((now - offset) / group.intervalMs) * group.intervalMs + offset;
    return base < now ? base + group.intervalMs : base;
  }

  private tick(): void {
    if (!this.leader) return;
    this.opts.onTick();
    const now = this.now();
    const seen = new Set<string>();
    for (const group of this.opts.groups()) {
      if (!group.rules.some((r) => r.type === 'alert')) continue;
      const key = `${group.id}@${group.intervalMs}`;
      seen.add(key);
      let slot = this.slots.get(key);
      if (!slot) {
        slot = { next: Scheduler.slotAfter(group, now), running: false };
        this.slots.set(key, slot);
      }
      if (now < slot.next) continue;
      const at = slot.next;
      const behind = Math.floor((now - at) / group.intervalMs);
      slot.next = at + (behind + 1) * group.intervalMs;
      if (slot.running || behind > 0) {
        this.opts.metrics.missed.inc({ group: group.name }, slot.running ? behind + 1 : behind);
        if (slot.running) continue;
      }
      this.run(group, at + behind * group.intervalMs, slot);
    }
    for (const key of this.slots.keys()) if (!seen.has(key)) this.slots.delete(key);
  }

  private run(group: CompiledGroup, at: number, slot: Slot): void {
    slot.running = true;
    const end = this.opts.metrics.duration.startTimer({ group: group.name });
    const p = this.opts
      .evaluate(group, at, this.abort.signal)
      .then(() => this.opts.metrics.evaluations.inc({ group: group.name }))
      .catch((err: unknown) => {
        this.opts.metrics.failures.inc({ group: group.name });
        this.opts.logger.error({ err, group: group.name }, 'group evaluation failed');
      })
      .finally(() => {
        end();
        slot.running = false;
        this.running.delete(p);
      });
    this.running.add(p);
  }

  /** Stops evaluating, waits for running evaluations, and hands the lease over. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.leaseTimer);
    this.abort.abort(new Error('stopping'));
    await Promise.allSettled([...this.running]);
    if (this.leader) await this.opts.store.releaseLease?.(LEASE_NAME, this.opts.holder).catch(() => undefined);
    this.leader = false;
    this.opts.metrics.leader.set(0);
    this.abort = new AbortController();
  }
}
