import type { RateLimitConfig } from '../config/sections/auth.ts';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until one request is allowed again (for Retry-After, RFC 9110 §10.2.3). */
  retryAfterSec: number;
}

/**
 * Token bucket per key (the principal's name): `burst` requests at once, refilled at `perSecond`. In
 * memory, per process: a split deployment limits each process separately. Idle buckets are swept so the
 * map stays bounded by the number of active callers.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.config.perSecond > 0;
  }

  take(key: string): RateDecision {
    if (!this.enabled) return { allowed: true, retryAfterSec: 0 };
    const t = this.now();
    this.sweep(t);
    const b = this.buckets.get(key) ?? { tokens: this.config.burst, at: t };
    b.tokens = Math.min(this.config.burst, b.tokens + ((t - b.at) / 1000) * this.config.perSecond);
    b.at = t;
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { allowed: true, retryAfterSec: 0 };
    }
    return { allowed: false, retryAfterSec: Math.max(1, Math.ceil((1 - b.tokens) / this.config.perSecond)) };
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    const full = (this.config.burst / this.config.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (t - b.at > full) this.buckets.delete(k);
  }
}
