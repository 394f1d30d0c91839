import type { Scope } from '../../../libs/auth/principal.ts';
import type { Dashboard } from '../../../libs/dashboards/dashboard.schema.ts';
import { ConflictError, NotFoundError } from '../../../libs/errors/errors.ts';
import type { StateStore, Versioned } from '../../../libs/store/state-store.ts';

/**
 * User dashboards in the state store: the current definition in `dashboards`, and every replaced
 * definition in `dashboard-versions` under `<id>@<version>`, so an edit can be looked at or undone.
 */
const CURRENT = 'dashboards';
const HISTORY = 'dashboard-versions';

export interface StoredDashboard {
  definition: Dashboard;
  author: string;
  createdAt: number;
  /** The creator's scope when it was restricted (docs/security.md, Scoped objects); absent: global. */
  scope?: Scope | undefined;
}

export interface DashboardVersion {
  dashboardId: string;
  version: number;
  updatedAt: number;
  author: string;
  definition: Dashboard;
}

/** A dashboard definition to store under `id`, written by `author`. */
export interface DashboardWrite {
  id: string;
  definition: Dashboard;
  author: string;
}

export class DashboardRepository {
  constructor(private readonly store: () => Promise<StateStore>) {}

  async get(id: string, signal?: AbortSignal): Promise<Versioned<StoredDashboard> | undefined> {
    return (await this.store()).get<StoredDashboard>(CURRENT, id, signal);
  }

  async list(signal?: AbortSignal): Promise<Versioned<StoredDashboard>[]> {
    const store = await this.store();
    const out: Versioned<StoredDashboard>[] = [];
    let after: string | undefined;
    do {
      const page = await store.list<StoredDashboard>(CURRENT, { limit: 500, ...(after ? { after } : {}) }, signal);
      out.push(...page.items);
      after = page.next ?? undefined;
    } while (after);
    return out;
  }

  async create(
    { id, definition, author, scope }: DashboardWrite & { scope: Scope | undefined },
    signal?: AbortSignal,
  ): Promise<Versioned<StoredDashboard>> {
    const store = await this.store();
    try {
      return await store.put<StoredDashboard>(
        CURRENT,
        { id, value: { definition, author, createdAt: Date.now(), ...(scope ? { scope } : {}) }, expectedVersion: 0 },
        signal,
      );
    } catch (err) {
      if (err instanceof ConflictError)
        throw new ConflictError(`dashboard "${id}" already exists; update it with PUT /v1/dashboards/${id}`);
      throw err;
    }
  }

  /** Replaces the definition, keeping the old one as a version. `expectedVersion` guards concurrent edits. */
  async update(
    { id, definition, author, expectedVersion }: DashboardWrite & { expectedVersion?: number },
    signal?: AbortSignal,
  ): Promise<Versioned<StoredDashboard>> {
    const store = await this.store();
    const current = await store.get<StoredDashboard>(CURRENT, id, signal);
    if (!current) throw new NotFoundError(`no dashboard "${id}"`);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new ConflictError(
        `dashboard "${id}" is at version ${current.version}, not ${expectedVersion}; reload it and apply your change again`,
      );
    }
    const old: DashboardVersion = {
      dashboardId: id,
      version: current.version,
      updatedAt: current.updatedAt,
      author: current.value.author,
      definition: current.value.definition,
    };
    await store.put(HISTORY, { id: `${id}@${current.version}`, value: old }, signal);
    return store.put<StoredDashboard>(
      CURRENT,
      { id, value: { ...current.value, definition, author }, expectedVersion: current.version },
      signal,
    );
  }

  async delete(id: string, signal?: AbortSignal): Promise<boolean> {
    const store = await this.store();
    const deleted = await store.delete(CURRENT, id, signal);
    for (const v of await this.versions(id, signal)) await store.delete(HISTORY, `${id}@${v.version}`, signal);
    return deleted;
  }

  /** Previous versions, newest first. */
  async versions(id: string, signal?: AbortSignal): Promise<DashboardVersion[]> {
    const store = await this.store();
    const out: DashboardVersion[] = [];
    let after: string | undefined;
    do {
      const page = await store.list<DashboardVersion>(
        HISTORY,
        { where: { dashboardId: id }, limit: 500, ...(after ? { after } : {}) },
        signal,
      );
      out.push(...page.items.map((i) => i.value));
      after = page.next ?? undefined;
    } while (after);
    return out.sort((a, b) => b.version - a.version);
  }
}
