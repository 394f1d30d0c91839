import { ConflictError } from '../../../../libs/errors/errors.ts';
import type { ListOptions, StateStore, StateWrite, Versioned } from '../../../../libs/store/state-store.ts';

/** An in-memory StateStore for unit tests: the interface's documented behaviour, nothing more. */
export class MemoryStateStore implements StateStore {
  readonly type = 'memory';
  private readonly data = new Map<string, Map<string, Versioned<unknown>>>();

  async init(): Promise<void> {}
  async close(): Promise<void> {}
  async acquireLease(): Promise<boolean> {
    return true;
  }

  private col(name: string): Map<string, Versioned<unknown>> {
    let c = this.data.get(name);
    if (!c) this.data.set(name, (c = new Map()));
    return c;
  }

  async get<T>(collection: string, id: string): Promise<Versioned<T> | undefined> {
    return structuredClone(this.col(collection).get(id)) as Versioned<T> | undefined;
  }

  async put<T>(collection: string, { id, value, expectedVersion }: StateWrite<T>): Promise<Versioned<T>> {
    const current = this.col(collection).get(id);
    if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion)
      throw new ConflictError(`${collection}/${id} changed`);
    const doc = { id, version: (current?.version ?? 0) + 1, updatedAt: Date.now(), value: structuredClone(value) };
    this.col(collection).set(id, doc);
    return structuredClone(doc);
  }

  async delete(collection: string, id: string): Promise<boolean> {
    return this.col(collection).delete(id);
  }

  async list<T>(
    collection: string,
    options: ListOptions = {},
  ): Promise<{ items: Versioned<T>[]; next: string | null }> {
    const where = Object.entries(options.where ?? {});
    const items = [...this.col(collection).values()]
      .filter((d) => where.every(([k, v]) => (d.value as Record<string, unknown>)[k] === v))
      .sort((a, b) => a.id.localeCompare(b.id));
    return { items: structuredClone(items) as Versioned<T>[], next: null };
  }
}
