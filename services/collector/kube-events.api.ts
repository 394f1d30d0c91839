import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';

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

/**
 * Server-side watch length. client-node's Watch aborts a connection silent for 30 s, so the server is asked
 * to end each watch before that; the watcher then resumes from the last resourceVersion.
 */
const WATCH_SECONDS = 25;

export interface KubeConfigOptions {
  kubeconfig?: string | undefined;
  inCluster: boolean;
}

/** The real API server through @kubernetes/client-node (kubeconfig file, in-cluster service account, or default). */
export function clientNodeEventsApi(options: KubeConfigOptions): KubeEventsApi {
  const kc = new KubeConfig();
  if (options.inCluster) kc.loadFromCluster();
  else if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  return kubeEventsApiFor(kc);
}

export function kubeEventsApiFor(kc: KubeConfig): KubeEventsApi {
  const core = kc.makeApiClient(CoreV1Api);
  const watcher = new Watch(kc);
  return {
    async list({ limit, continue: token }) {
      const page = await core.listEventForAllNamespaces({ limit, _continue: token });
      return { items: page.items, resourceVersion: page.metadata?.resourceVersion ?? '', continue: page.metadata?._continue || undefined };
    },
    async watch(resourceVersion, onEvent, done) {
      const controller = await watcher.watch(
        '/api/v1/events',
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_SECONDS },
        (type: string, object: unknown) => onEvent(type, object),
        (err: unknown) => done(err ?? undefined),
      );
      return { abort: () => controller.abort() };
    },
  };
}
