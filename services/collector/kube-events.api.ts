import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createInterface } from 'node:readline';
import { loadKubeTarget, type KubeConfigOptions, type KubeTarget } from './kube-config.ts';

/** The two calls the event watch needs from the API server, so the logic can be tested against a fake. */
export interface KubeEventsApi {
  /** One page of `GET /api/v1/events` (all namespaces). */
  list(options: { limit: number; continue?: string | undefined }): Promise<{ items: unknown[]; resourceVersion: string; continue?: string | undefined }>;
  /**
   * `GET /api/v1/events?watch=true&resourceVersion=…`. `onEvent` gets each watch event; `done` is called once
   * when the stream ends (err undefined) or fails (an HTTP 410 carries `statusCode: 410`).
   */
  watch(resourceVersion: string, onEvent: (type: string, object: unknown) => void, done: (err?: unknown) => void): Promise<{ abort(): void }>;
}

/** Server-side length of one watch; the watcher then resumes from the last resourceVersion it saw. */
const WATCH_SECONDS = 290;

/**
 * The API server over plain HTTPS. Why not @kubernetes/client-node: its 2.x line loads undici 8, which needs
 * Node 22 (zstd in zlib) and throws at import on Node 20, the runtime here. The protocol needed is small:
 * a paged list (`limit`/`continue`) and a watch stream of JSON lines
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).
 */
export function kubeEventsApi(options: KubeConfigOptions | KubeTarget): KubeEventsApi {
  const target = 'server' in options ? options : loadKubeTarget(options);
  return {
    async list({ limit, continue: token }) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (token) query.set('continue', token);
      const res = await get(target, `/api/v1/events?${query}`);
      const body = await readBody(res);
      if (res.statusCode !== 200) throw Object.assign(new Error(`list events: HTTP ${res.statusCode}: ${body.slice(0, 300)}`), { statusCode: res.statusCode });
      const page = JSON.parse(body) as { items?: unknown[]; metadata?: { resourceVersion?: string; continue?: string } };
      return { items: page.items ?? [], resourceVersion: page.metadata?.resourceVersion ?? '', continue: page.metadata?.continue || undefined };
    },
    async watch(resourceVersion, onEvent, done) {
      const controller = new AbortController();
      const query = new URLSearchParams({ watch: 'true', resourceVersion, allowWatchBookmarks: 'true', timeoutSeconds: String(WATCH_SECONDS) });
      let finished = false;
      const finish = (err?: unknown) => {
        if (finished) return;
        finished = true;
        done(err);
      };
      get(target, `/api/v1/events?${query}`, controller.signal).then(async (res) => {
        if (res.statusCode !== 200) {
          const body = await readBody(res).catch(() => '');
          return finish(Object.assign(new Error(`watch events: HTTP ${res.statusCode}: ${body.slice(0, 300)}`), { statusCode: res.statusCode }));
        }
        const lines = createInterface({ input: res, crlfDelay: Infinity });
        lines.on('line', (line) => {
          if (!line.trim()) return;
          try {
            const ev = JSON.parse(line) as { type: string; object: unknown };
            onEvent(ev.type, ev.object);
          } catch (err) {
            finish(new Error(`watch events: a line is not JSON: ${(err as Error).message}`));
            controller.abort();
          }
        });
        // readline re-emits the response's errors (an abort shows up as 'aborted'): both need a listener.
        const onError = (err: unknown) => finish(controller.signal.aborted ? undefined : err);
        res.on('error', onError);
        lines.on('error', onError);
        lines.on('close', () => finish());
      }, (err: unknown) => finish(controller.signal.aborted ? undefined : err));
      return { abort: () => controller.abort() };
    },
  };
}

function get(target: KubeTarget, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
  const url = new URL(path, target.server);
  const token = target.tokenFile ? readFileSync(target.tokenFile, 'utf8').trim() : target.token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const tls = { ca: target.ca, cert: target.cert, key: target.key, rejectUnauthorized: !target.insecure };
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', headers, timeout: (WATCH_SECONDS + 30) * 1000, ...(url.protocol === 'https:' ? tls : {}) }, resolve);
    // Abort by destroying the socket ourselves: Node's `signal` option raises an AbortError on whichever
    // stream is current, which surfaces as an uncaught error once the response is being read.
    const onAbort = () => req.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    req.on('timeout', () => req.destroy(new Error('API server did not answer in time')));
    req.on('error', reject);
    req.end();
  });
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
