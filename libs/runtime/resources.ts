/**
 * Lazily created shared backends (the record store, the bus, the state store …). A feature asks for what it
 * needs; the first ask creates it through its registry; shutdown closes everything in reverse order.
 */
export class Resources {
  private readonly made = new Map<string, { value: unknown; close: () => Promise<void> }>();
  private readonly order: string[] = [];

  async get<T>(name: string, create: () => Promise<{ value: T; close: () => Promise<void> }>): Promise<T> {
    const existing = this.made.get(name);
    if (existing) return existing.value as T;
    const pending = this.pending.get(name);
    if (pending) return (await pending) as T;
    const p = create().then((r) => {
      this.made.set(name, r);
      this.order.push(name);
      this.pending.delete(name);
      return r.value;
    });
    // A failed creation (engine not up yet) must not be cached: the next ask tries again.
    p.catch(() => this.pending.delete(name));
    this.pending.set(name, p);
    return p;
  }

  private readonly pending = new Map<string, Promise<unknown>>();

  async closeAll(): Promise<void> {
    for (const name of [...this.order].reverse()) {
      await this.made
        .get(name)
        ?.close()
        .catch(() => undefined);
      this.made.delete(name);
    }
    this.order.length = 0;
  }
}
