/**
 * Small versioned documents that are not records: alert rules and state, silences, notification log,
 * dashboards and their versions, API tokens, leases. Same two engines as the record store.
 */
export interface Versioned<T> {
  id: string;
  version: number;
  updatedAt: number;
  value: T;
}

export interface ListOptions {
  /** Exact-match filters on top-level string fields of the value. */
  where?: Record<string, string>;
  limit?: number;
  /** Opaque cursor from a previous list call. */
  after?: string;
  order?: 'asc' | 'desc';
}

/** One document to write: with `expectedVersion`, only over that stored version (0 = must not exist yet). */
export interface StateWrite<T> {
  id: string;
  value: T;
  expectedVersion?: number;
}

/** `holder` asks for the lease `name` for `ttlMs` from now. */
export interface LeaseRequest {
  name: string;
  holder: string;
  ttlMs: number;
}

export interface StateStore {
  readonly type: string;
  init(signal?: AbortSignal): Promise<void>;
  get<T>(collection: string, id: string, signal?: AbortSignal): Promise<Versioned<T> | undefined>;
  /**
   * Creates or replaces. With `expectedVersion`, fails with ConflictError when the stored version differs (0 = must not
   * exist).
   */
  put<T>(collection: string, item: StateWrite<T>, signal?: AbortSignal): Promise<Versioned<T>>;
  /**
   * Creates or replaces many documents of one collection at once, without version checks (each stored version still
   * goes up by one), visible to `list` when it resolves. For write-heavy callers (the alert engine's state and
   * history); engines without it are used through `put` one by one.
   */
  putMany?<T>(collection: string, items: readonly { id: string; value: T }[], signal?: AbortSignal): Promise<void>;
  delete(collection: string, id: string, signal?: AbortSignal): Promise<boolean>;
  list<T>(
    collection: string,
    options?: ListOptions,
    signal?: AbortSignal,
  ): Promise<{ items: Versioned<T>[]; next: string | null }>;
  /**
   * A lease for leader election: true when `holder` now holds `name` until now+ttlMs (acquired or renewed),
   * false when another holder's lease is still valid.
   */
  acquireLease(lease: LeaseRequest, signal?: AbortSignal): Promise<boolean>;
  /** Gives a lease up early (clean shutdown) so another holder takes over without waiting for the ttl. */
  releaseLease?(name: string, holder: string, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
