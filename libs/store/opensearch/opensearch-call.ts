import { Client } from '@opensearch-project/opensearch';
import { InputError, PharosError, UnavailableError } from '../../errors/errors.ts';

export interface OpenSearchConnection {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  requestTimeoutMs: number;
}

export function createClient(c: OpenSearchConnection): Client {
  return new Client({
    node: c.url,
    requestTimeout: c.requestTimeoutMs,
    ...(c.username ? { auth: { username: c.username, password: c.password ?? '' } } : {}),
  });
}

/** The client's promises can be aborted (TransportRequestPromise.abort); the signal drives that. */
type Abortable<T> = Promise<T> & { abort?: () => void };

export interface OsResponse<B> {
  body: B;
  statusCode: number | null;
}

/**
 * Runs one client call under an AbortSignal: an abort cancels the HTTP request and rejects with the signal's
 * reason (the caller turns it into a timeout). Connection problems become UnavailableError (retryable).
 */
export function osCall<B>(run: () => Promise<OsResponse<unknown>>, signal?: AbortSignal): Promise<OsResponse<B>> {
  return osRequest(run as () => Promise<OsResponse<B>>, signal);
}

/** osCall for any client call (the state store's calls too): the same abort wiring and error mapping. */
export async function osRequest<R>(run: () => Promise<R>, signal?: AbortSignal): Promise<R> {
  signal?.throwIfAborted();
  const pending = run() as Abortable<R>;
  // A block body on purpose: abort() returns the request itself, a thenable, and an EventTarget listener that
  // returns a thenable gets its rejection rethrown as an uncaught exception (Node's event_target addCatch),
  // which took the process down whenever a query timed out or its client went away.
  const onAbort = (): void => {
    pending.abort?.();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await pending;
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw mapError(err);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

export function statusOf(err: unknown): number | undefined {
  const cause = err instanceof PharosError ? err.cause : err;
  return (cause as { meta?: { statusCode?: number } })?.meta?.statusCode ?? undefined;
}

export function reasonOf(err: unknown): string {
  const cause = err instanceof PharosError ? err.cause : err;
  const body = (
    cause as {
      meta?: {
        body?: { error?: { type?: string; reason?: string; root_cause?: { type?: string; reason?: string }[] } };
      };
    }
  )?.meta?.body;
  const root = body?.error?.root_cause?.[0] ?? body?.error;
  return root ? `${root.type ?? 'error'}: ${root.reason ?? ''}` : ((cause as Error)?.message ?? String(cause));
}

function mapError(err: unknown): PharosError {
  if (err instanceof PharosError) return err;
  const status = statusOf(err);
  if (status === undefined || status >= 500 || status === 429)
    return new UnavailableError(`OpenSearch unavailable: ${reasonOf(err)}`, err);
  return new PharosError('PHAROS_ERR_INTERNAL', `OpenSearch rejected a request: ${reasonOf(err)}`, { cause: err });
}

/** A cursor whose point in time expired (keep_alive passed) or was forged: a clear 400, never a 500. */
export function cursorError(err: unknown): InputError | undefined {
  const status = statusOf(err);
  if (status === undefined || status >= 500) return undefined;
  return new InputError('Invalid cursor: its point in time expired or is unknown; run the query again without cursor', [
    { path: 'cursor', message: reasonOf(err) },
  ]);
}
