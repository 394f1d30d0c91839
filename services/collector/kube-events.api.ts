import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { loadKubeConfig, type KubeConfigOptions } from './kube-config.ts';

/** The two calls the event watch needs from the API server, so the logic can be tested against a fake. */
export interface KubeEventsApi {
  /** One page of `GET /api/v1/events` (all namespaces). */
  list(options: {
    limit: number;
    continue?: string | undefined;
  }): Promise<{ items: unknown[]; resourceVersion: string; continue?: string | undefined }>;
  /**
   * `GET /api/v1/events?watch=true&resourceVersion=…`. `onEvent` gets each watch event; `done` is called once
   * when the stream ends (err undefined) or fails (an HTTP 410 carries `statusCode: 410`).
   */
  watch(
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    done: (err?: unknown) => void,
  ): Promise<{ abort(): void }>;
}

/** Server-side length of one watch; the watcher then resumes from the last resourceVersion it saw. */
const WATCH_SECONDS = 290;
/** A watch the server has not ended this long after its timeoutSeconds is a dead connection. */
const WATCH_DEADLINE_MS = (WATCH_SECONDS + 30) * 1000;
const LIST_TIMEOUT_MS = 60_000;

/**
 * The API server through @kubernetes/client-node (1.x: the 2.x line needs Node 22). Its KubeConfig
 * supplies the connection and every kubeconfig credential kind (exec plugins, auth providers, rotating
 * service account tokens); its Watch streams `/api/v1/events` as JSON lines
 * (https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes).
 * The list is a plain request with the same KubeConfig rather than CoreV1Api: the typed client turns
 * timestamps into Dates (MicroTime loses its microseconds), drops fields it does not know and hands back
 * class instances, so listed events would not match the raw JSON objects the watch delivers and the
 * events normalizer stores as `raw`.
 */
export function kubeEventsApi(options: KubeConfigOptions | KubeConfig): KubeEventsApi {
  const kc = options instanceof KubeConfig ? options : loadKubeConfig(options);
  return {
    async list({ limit, continue: token }) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (token) query.set('continue', token);
      const page = (await getJson(kc, `/api/v1/events?${query}`)) as {
        items?: unknown[];
        metadata?: { resourceVersion?: string; continue?: string };
      };
      return {
        items: page.items ?? [],
        resourceVersion: page.metadata?.resourceVersion ?? '',
        continue: page.metadata?.continue || undefined,
      };
    },
    async watch(resourceVersion, onEvent, done) {
      return watchEvents(
        kc,
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_SECONDS },
        { onEvent, done },
      );
    },
  };
}

/**
 * client-node's Watch hands back its AbortController only once the response has started, and gives no
 * deadline; the handle returned here stops the watch at any point (events after it are dropped, `done`
 * runs once, at once) and a stuck connection ends with an error after WATCH_DEADLINE_MS.
 */
function watchEvents(
  kc: KubeConfig,
  query: Record<string, string | number | boolean>,
  { onEvent, done }: { onEvent: (type: string, object: unknown) => void; done: (err?: unknown) => void },
): { abort(): void } {
  let controller: AbortController | undefined;
  let ended = false;
  const finish = (err?: unknown) => {
    if (ended) return;
    ended = true;
    clearTimeout(deadline);
    controller?.abort();
    done(err);
  };
  const deadline = setTimeout(
    () => finish(new Error(`watch events: the API server did not end the watch within ${WATCH_DEADLINE_MS / 1000}s`)),
    WATCH_DEADLINE_MS,
  );
  new Watch(kc)
    .watch(
      '/api/v1/events',
      query,
      (type: string, object: unknown) => {
        if (!ended) onEvent(type, object);
      },
      (err: unknown) => finish(err ? watchError(err) : undefined),
    )
    .then(
      (c) => {
        controller = c;
        if (ended) c.abort();
      },
      (err: unknown) => finish(watchError(err)),
    );
  return { abort: () => finish() };
}

/** Keeps `statusCode` (410 Gone makes the watcher list again) and says which call failed. */
function watchError(err: unknown): Error {
  const statusCode = (err as { statusCode?: number }).statusCode;
  const message = `watch events: ${statusCode ? `HTTP ${statusCode} ` : ''}${(err as Error).message ?? String(err)}`;
  return Object.assign(new Error(message, { cause: err }), statusCode ? { statusCode } : {});
}

/** GET with the KubeConfig's server, TLS material and credentials; the parsed JSON body. */
async function getJson(kc: KubeConfig, path: string): Promise<unknown> {
  const server = kc.getCurrentCluster()?.server ?? '';
  const url = new URL(server + path);
  const options: RequestOptions = { method: 'GET', headers: { accept: 'application/json' }, timeout: LIST_TIMEOUT_MS };
  await kc.applyToHTTPSOptions(options);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, resolve);
    req.on('timeout', () =>
      req.destroy(new Error(`GET ${url.pathname}: the API server did not answer within ${LIST_TIMEOUT_MS / 1000}s`)),
    );
    req.on('error', reject);
    req.end();
  });
  const body = await readBody(res);
  if (res.statusCode !== 200) {
    throw Object.assign(new Error(`GET ${url.pathname}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`), {
      statusCode: res.statusCode,
    });
  }
  return JSON.parse(body);
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}
