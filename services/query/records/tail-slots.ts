import { PharosError } from '../../../libs/errors/errors.ts';

export interface TailSlot {
  /** Aborts when the caller's signal does or when every slot is closed (shutdown). */
  signal: AbortSignal;
  /** Gives the slot back; safe to call more than once. */
  release(): void;
}

/**
 * Open live-tail streams, bounded per process and per principal. A slot is released when its stream ends, when
 * the caller's signal aborts (client gone), or by closeAll(), whichever comes first.
 */
export class TailSlots {
  private readonly open = new Set<{ release(): void }>();
  private readonly perOwner = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly maxPerOwner: number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  take(owner: string, signal: AbortSignal): TailSlot {
    if (this.open.size >= this.max) {
      throw new PharosError(
        'PHAROS_ERR_RATE_LIMITED',
        `${this.max} live tails are open on this server (query.tail.maxStreams); close one or retry later`,
      );
    }
    const mine = this.perOwner.get(owner) ?? 0;
    if (mine >= this.maxPerOwner) {
      throw new PharosError(
        'PHAROS_ERR_RATE_LIMITED',
        `"${owner}" already has ${mine} live tails open (query.tail.maxStreamsPerPrincipal); close one first`,
      );
    }
    const abort = new AbortController();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.open.delete(entry);
      const left = (this.perOwner.get(owner) ?? 1) - 1;
      if (left > 0) this.perOwner.set(owner, left);
      else this.perOwner.delete(owner);
      abort.abort();
    };
    const entry = { release };
    this.open.add(entry);
    this.perOwner.set(owner, mine + 1);
    if (signal.aborted) release();
    else signal.addEventListener('abort', release, { once: true });
    return { signal: abort.signal, release };
  }

  closeAll(): void {
    for (const entry of [...this.open]) entry.release();
  }
}
