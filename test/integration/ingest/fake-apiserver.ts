import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

type Obj = { metadata: { uid: string; name: string; namespace: string; resourceVersion: string } } & Record<
  string,
  unknown
>;

/**
 * A small API server speaking the Kubernetes list/watch protocol for core/v1 Events: paged list with
 * `limit`/`continue` and the list's resourceVersion; `?watch=true&resourceVersion=N` streams every change
 * after N as JSON lines, then new ones as they happen; a resourceVersion older than the compaction point
 * gets a watch ERROR event with a 410 Status, as etcd compaction causes on a real server.
 */
export class FakeApiServer {
  private rv = 100;
  private compactedBelow = 0;
  private goneAsHttpStatus = false;
  private readonly objects = new Map<string, Obj>();
  private readonly changes: { rv: number; type: 'ADDED' | 'MODIFIED'; object: Obj }[] = [];
  private readonly watchers = new Set<(line: string, rv: number) => void>();
  private readonly open = new Set<ServerResponse>();
  private server: Server | undefined;
  lists = 0;
  watches: string[] = [];

  /** With a token, requests without `Authorization: Bearer <token>` get 401, as a real server answers them. */
  constructor(private readonly options: { token?: string } = {}) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.route(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.end();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** Creates an event (count 1) or bumps the count of an existing one, as the kubelet does for repeats. */
  emit(name: string, reason = 'Pulled'): Obj {
    this.rv += 1;
    const existing = this.objects.get(name);
    const count = existing ? Number(existing.count) + 1 : 1;
    const object: Obj = {
      apiVersion: 'v1',
      kind: 'Event',
      reason,
      type: 'Normal',
      message: `${reason} ${name} x${count}`,
      count,
      metadata: {
        uid: existing?.metadata.uid ?? `uid-${name}`,
        name,
        namespace: 'default',
        resourceVersion: String(this.rv),
      },
      involvedObject: { kind: 'Pod', name: `pod-${name}`, namespace: 'default', uid: `pod-uid-${name}` },
      firstTimestamp: '2026-11-20T10:00:00Z',
      lastTimestamp: new Date(Date.UTC(2026, 10, 20, 10, count)).toISOString().replace('.000', ''),
    };
    this.objects.set(name, object);
    const change = { rv: this.rv, type: existing ? ('MODIFIED' as const) : ('ADDED' as const), object };
    this.changes.push(change);
    for (const w of this.watchers) w(JSON.stringify({ type: change.type, object }), change.rv);
    return object;
  }

  /**
   * Forgets history: watches from before now get 410 Gone, as a watch ERROR event (current servers) or,
   * with `asHttpStatus`, as the HTTP status of the watch request itself (what older servers answer).
   */
  compact(options: { asHttpStatus?: boolean } = {}): void {
    this.compactedBelow = this.rv;
    this.goneAsHttpStatus = options.asHttpStatus ?? false;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`)
      return void res.writeHead(401).end();
    if (url.pathname !== '/api/v1/events') return void res.writeHead(404).end();
    if (url.searchParams.get('watch') === 'true') return this.watch(url, res);
    this.lists += 1;
    const all = [...this.objects.values()];
    const limit = Number(url.searchParams.get('limit') ?? all.length);
    const from = Number(url.searchParams.get('continue') ?? 0);
    const items = all.slice(from, from + limit);
    const next = from + limit < all.length ? String(from + limit) : undefined;
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        kind: 'EventList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv), ...(next ? { continue: next } : {}) },
        items,
      }),
    );
  }

  private watch(url: URL, res: ServerResponse): void {
    const from = Number(url.searchParams.get('resourceVersion') ?? 0);
    this.watches.push(String(from));
    const gone = {
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
      message: `too old resource version: ${from}`,
    };
    if (from < this.compactedBelow && this.goneAsHttpStatus)
      return void res.writeHead(410, { 'content-type': 'application/json' }).end(JSON.stringify(gone));
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    if (from < this.compactedBelow) return void res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
    for (const c of this.changes) if (c.rv > from) res.write(`${JSON.stringify({ type: c.type, object: c.object })}\n`);
    const push = (line: string) => res.write(`${line}\n`);
    this.watchers.add(push);
    this.open.add(res);
    res.on('close', () => {
      this.watchers.delete(push);
      this.open.delete(res);
    });
  }
}
