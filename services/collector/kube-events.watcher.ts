import { sleepUntilAborted } from '../../libs/async/sleep.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import { normalizeEvent } from '../../libs/normalize/events.normalize.ts';
import type { EventDoc } from '../../libs/schemas/records.ts';
import type { IngestMetrics } from './ingest.metrics.ts';
import type { IngestService } from './ingest.service.ts';
import type { Checkpoint } from './kube-events.checkpoint.ts';
import type { KubeEventsApi } from './kube-events.api.ts';

export interface KubeEventsWatcherOptions {
  api: KubeEventsApi;
  ingest: IngestService;
  metrics: IngestMetrics;
  checkpoint: Checkpoint;
  cluster: string;
  logger: Logger;
  pageSize?: number;
  /** Wait before retrying after an error (API server or bus down). */
  retryDelayMs?: number;
}

/** A watch that ended with 410 Gone: the resourceVersion is too old, only a fresh list can resume. */
class GoneError extends Error {}

const isGone = (err: unknown): boolean =>
  err instanceof GoneError ||
  (err as { statusCode?: number })?.statusCode === 410 ||
  (err as { code?: number })?.code === 410;

/**
 * List+watch of core/v1 Events (the Kubernetes "list then watch from the list's resourceVersion" protocol,
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#efficient-detection-of-changes). ADDED and
 * MODIFIED are both exported: a repeated event is the same object with a higher `count`, and id = uid:count
 * keeps each occurrence once. The checkpoint advances only after the bus has the events before it, so a
 * restart resumes without a gap; a 410 Gone re-lists (ids make the overlap harmless).
 */
export class KubeEventsWatcher {
  private readonly log: Logger;
  constructor(private readonly opts: KubeEventsWatcherOptions) {
    this.log = opts.logger.child({ component: 'kube-events', cluster: opts.cluster });
  }

  async run(signal: AbortSignal): Promise<void> {
    let rv = this.opts.checkpoint.load();
    while (!signal.aborted) {
      try {
        if (!rv) rv = await this.relist(signal);
        rv = await this.watchOnce(rv, signal);
      } catch (err) {
        if (signal.aborted) return;
        if (isGone(err)) {
          this.log.info({ resourceVersion: rv }, 'watch resourceVersion expired (410 Gone): listing again');
          rv = undefined;
          this.opts.checkpoint.save(undefined);
          continue;
        }
        this.log.warn({ err }, 'event watch failed; retrying from the checkpoint');
        rv = this.opts.checkpoint.load() ?? rv;
        await sleepUntilAborted(this.opts.retryDelayMs ?? 2_000, signal);
      }
    }
  }

  /** Lists every page, publishing each, and returns the list's resourceVersion to watch from. */
  private async relist(signal: AbortSignal): Promise<string> {
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.opts.api.list({ limit: this.opts.pageSize ?? 500, continue: token });
      await this.publish(page.items, signal);
      resourceVersion = page.resourceVersion;
      token = page.continue;
    } while (token && !signal.aborted);
    this.opts.checkpoint.save(resourceVersion);
    return resourceVersion;
  }

  /** One watch connection; resolves with the last resourceVersion seen when the server ends it. */
  private watchOnce(from: string, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      let latest = from;
      let queue: unknown[] = [];
      let chain: Promise<void> = Promise.resolve();
      let failed = false;
      let handle: { abort(): void } | undefined;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        handle?.abort();
        reject(err);
      };
      // Events are published in order, a batch at a time; the checkpoint follows each published batch.
      const flush = () => {
        const items = queue;
        const rv = latest;
        queue = [];
        chain = chain.then(async () => {
          if (failed) return;
          await this.publish(items, signal);
          this.opts.checkpoint.save(rv);
        });
        chain.catch(fail);
      };
      const timer = setInterval(() => queue.length && flush(), 200);
      const onAbort = () => handle?.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = (err?: unknown) => {
        clearInterval(timer);
        signal.removeEventListener('abort', onAbort);
        if (err && !signal.aborted) return fail(err);
        flush();
        chain.then(() => !failed && resolve(latest), fail);
      };
      const onEvent = (type: string, object: unknown) => {
        if (failed) return;
        const obj = object as { code?: number; metadata?: { resourceVersion?: string } };
        if (type === 'ERROR')
          return fail(
            obj?.code === 410
              ? new GoneError('410 Gone')
              : new Error(`watch error: ${JSON.stringify(object).slice(0, 300)}`),
          );
        if (obj?.metadata?.resourceVersion) latest = obj.metadata.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') queue.push(object);
        if (queue.length >= 200) flush();
        else if (type === 'BOOKMARK' && queue.length === 0) flush();
      };
      this.opts.api.watch(from, onEvent, finish).then((h) => {
        handle = h;
        if (failed || signal.aborted) h.abort();
      }, fail);
    });
  }

  private async publish(items: readonly unknown[], signal: AbortSignal): Promise<void> {
    const ctx = { cluster: this.opts.cluster, ingestedAt: Date.now() };
    const docs: EventDoc[] = [];
    let rejected = 0;
    for (const item of items) {
      const doc = normalizeEvent(item, ctx);
      if (typeof doc === 'string') {
        rejected += 1;
        this.log.warn({ reason: doc }, 'watched event rejected');
      } else docs.push(doc);
    }
    this.opts.metrics.count({ kind: 'events', cluster: this.opts.cluster, result: 'rejected' }, rejected);
    await this.opts.ingest.publish('events', docs, signal);
  }
}
