import type { Client } from '@opensearch-project/opensearch';
import { createClient, osRequest } from '../opensearch/opensearch-call.ts';
import { ConflictError, UnavailableError } from '../../errors/errors.ts';
import type { LeaseRequest, ListOptions, StateStore, StateWrite, Versioned } from '../state-store.ts';
import { checkField, decodeCursor, encodeCursor, listLimit, stringFields } from './state-keys.ts';

export interface OpenSearchStateOptions {
  url: string;
  indexPrefix: string;
  username?: string | undefined;
  password?: string | undefined;
  requestTimeoutMs: number;
  now?: () => number;
}

interface StateSource {
  collection: string;
  docId: string;
  version: number;
  updatedAt: number;
  /** Kept as JSON text: the value is opaque to OpenSearch, and no mapping explosion from arbitrary keys. */
  json: string;
  /** Top-level string fields of the value, mapped as keywords, for `where`. */
  f: Record<string, string>;
}

interface Hit {
  _id: string;
  _source: StateSource;
  _seq_no?: number;
  _primary_term?: number;
  sort?: unknown[];
}

const LEASES = '__leases';

/**
 * State store on OpenSearch: one index `<prefix>-state`. Writes use `refresh: true` so a list right after a
 * write sees it (state documents are few and small). Optimistic concurrency uses the engine's own
 * `if_seq_no`/`if_primary_term`, so two processes racing on one document cannot both win; leases too.
 */
export class OpenSearchStateStore implements StateStore {
  readonly type = 'opensearch';
  private readonly client: Client;
  private readonly index: string;
  private readonly now: () => number;

  constructor(options: OpenSearchStateOptions) {
    this.client = createClient(options);
    this.index = `${options.indexPrefix}-state`;
    this.now = options.now ?? Date.now;
  }

  async init(signal?: AbortSignal): Promise<void> {
    const exists = await this.call((c) => c.indices.exists({ index: this.index }), signal);
    if (exists.body) return;
    await this.call(
      (c) =>
        c.indices.create(
          {
            index: this.index,
            body: {
              settings: { number_of_shards: 1, number_of_replicas: 0 },
              mappings: {
                dynamic: 'strict',
                properties: {
                  collection: { type: 'keyword' },
                  docId: { type: 'keyword' },
                  version: { type: 'long' },
                  updatedAt: { type: 'long' },
                  json: { type: 'keyword', index: false, doc_values: false },
                  f: { type: 'object', dynamic: true },
                },
                dynamic_templates: [{ strings: { path_match: 'f.*', mapping: { type: 'keyword' } } }],
              },
            },
          },
          { ignore: [400] },
        ),
      signal,
    );
  }

  async get<T>(collection: string, id: string, signal?: AbortSignal): Promise<Versioned<T> | undefined> {
    const hit = await this.getHit(collection, id, signal);
    return hit ? toVersioned<T>(hit._source) : undefined;
  }

  async put<T>(
    collection: string,
    { id, value, expectedVersion }: StateWrite<T>,
    signal?: AbortSignal,
  ): Promise<Versioned<T>> {
    // Without an expected version the write still goes through seq_no, retrying a lost race, so versions
    // stay a gapless count of writes.
    for (let attempt = 0; ; attempt++) {
      const current = await this.getHit(collection, id, signal);
      const have = current?._source.version ?? 0;
      if (expectedVersion !== undefined && expectedVersion !== have) {
        throw new ConflictError(`${collection}/${id} is at version ${have}, not ${expectedVersion}: reload and retry`);
      }
      const doc: Versioned<T> = { id, version: have + 1, updatedAt: this.now(), value };
      const ok = await this.write(collection, { doc, current }, signal);
      if (ok) return doc;
      if (expectedVersion !== undefined || attempt >= 20) {
        throw new ConflictError(`${collection}/${id} was changed concurrently: reload and retry`);
      }
    }
  }

  /**
   * One _bulk of scripted upserts: the version increment happens on the shard, so it stays exact without a read
   * per document; one `refresh: wait_for` for the whole batch instead of a forced refresh per document.
   */
  async putMany<T>(
    collection: string,
    items: readonly { id: string; value: T }[],
    signal?: AbortSignal,
  ): Promise<void> {
    if (items.length === 0) return;
    const now = this.now();
    const body: object[] = [];
    for (const item of items) {
      const json = JSON.stringify(item.value);
      const f = stringFields(item.value);
      body.push({ update: { _index: this.index, _id: docKey(collection, item.id), retry_on_conflict: 5 } });
      body.push({
        script: {
          lang: 'painless',
          source:
            'ctx._source.version += 1; ctx._source.updatedAt = params.t; ctx._source.json = params.json; ctx._source.f = params.f;',
          params: { t: now, json, f },
        },
        upsert: { collection, docId: item.id, version: 1, updatedAt: now, json, f } satisfies StateSource,
      });
    }
    const res = await this.call((c) => c.bulk({ body, refresh: 'wait_for' }), signal);
    const out = res.body as { errors: boolean; items: { update?: { error?: { reason?: string } } }[] };
    if (out.errors) {
      const first = out.items.find((i) => i.update?.error)?.update?.error?.reason ?? 'unknown';
      throw new UnavailableError(`OpenSearch state store: bulk write to ${collection} partly failed: ${first}`);
    }
  }

  async delete(collection: string, id: string, signal?: AbortSignal): Promise<boolean> {
    const res = await this.call(
      (c) => c.delete({ index: this.index, id: docKey(collection, id), refresh: true }, { ignore: [404] }),
      signal,
    );
    return res.statusCode === 200;
  }

  async list<T>(
    collection: string,
    options: ListOptions = {},
    signal?: AbortSignal,
  ): Promise<{ items: Versioned<T>[]; next: string | null }> {
    const limit = listLimit(options.limit);
    const order = options.order === 'desc' ? 'desc' : 'asc';
    const filter: object[] = [{ term: { collection } }];
    for (const [field, expected] of Object.entries(options.where ?? {}))
      filter.push({ term: { [`f.${checkField(field)}`]: expected } });
    const after = decodeCursor(options.after);
    const res = await this.call(
      (c) =>
        c.search({
          index: this.index,
          body: {
            size: limit + 1,
            query: { bool: { filter } },
            sort: [{ docId: order }],
            ...(after !== undefined ? { search_after: [after] } : {}),
          },
        }),
      signal,
    );
    const hits = (res.body as { hits: { hits: Hit[] } }).hits.hits;
    const page = hits.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((h) => toVersioned<T>(h._source)),
      next: hits.length > limit && last ? encodeCursor(last._source.docId) : null,
    };
  }

  async acquireLease({ name, holder, ttlMs }: LeaseRequest, signal?: AbortSignal): Promise<boolean> {
    const now = this.now();
    const current = await this.getHit(LEASES, name, signal);
    const lease = current ? (JSON.parse(current._source.json) as { holder: string; expiresAt: number }) : undefined;
    if (lease && lease.holder !== holder && lease.expiresAt > now) return false;
    const doc: Versioned<{ holder: string; expiresAt: number }> = {
      id: name,
      version: (current?._source.version ?? 0) + 1,
      updatedAt: now,
      value: { holder, expiresAt: now + ttlMs },
    };
    return this.write(LEASES, { doc, current }, signal);
  }

  async releaseLease(name: string, holder: string, signal?: AbortSignal): Promise<void> {
    const current = await this.getHit(LEASES, name, signal);
    if (!current || (JSON.parse(current._source.json) as { holder: string }).holder !== holder) return;
    const doc = {
      id: name,
      version: current._source.version + 1,
      updatedAt: this.now(),
      value: { holder, expiresAt: 0 },
    };
    await this.write(LEASES, { doc, current }, signal);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private async getHit(collection: string, id: string, signal?: AbortSignal): Promise<Hit | undefined> {
    const res = await this.call(
      (c) => c.get({ index: this.index, id: docKey(collection, id) }, { ignore: [404] }),
      signal,
    );
    const body = res.body as Hit & { found?: boolean };
    return res.statusCode === 200 && body.found ? body : undefined;
  }

  /** Writes guarded by the seen seq_no (or create-only when there was none); false when someone else won. */
  private async write<T>(
    collection: string,
    { doc, current }: { doc: Versioned<T>; current: Hit | undefined },
    signal?: AbortSignal,
  ): Promise<boolean> {
    const source: StateSource = {
      collection,
      docId: doc.id,
      version: doc.version,
      updatedAt: doc.updatedAt,
      json: JSON.stringify(doc.value),
      f: stringFields(doc.value),
    };
    const guard = current
      ? { if_seq_no: current._seq_no, if_primary_term: current._primary_term }
      : { op_type: 'create' as const };
    const res = await this.call(
      (c) =>
        c.index(
          { index: this.index, id: docKey(collection, doc.id), body: source, refresh: true, ...guard },
          { ignore: [409] },
        ),
      signal,
    );
    return res.statusCode !== 409;
  }

  /** Abort wiring and transport-error mapping are the record store's (opensearch-call.ts). */
  private call<R>(fn: (c: Client) => Promise<R>, signal?: AbortSignal): Promise<R> {
    return osRequest(() => fn(this.client), signal);
  }
}

function docKey(collection: string, id: string): string {
  return `${collection}\u001f${id}`;
}

function toVersioned<T>(s: StateSource): Versioned<T> {
  return { id: s.docId, version: s.version, updatedAt: s.updatedAt, value: JSON.parse(s.json) as T };
}
