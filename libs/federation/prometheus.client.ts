import {
  InputError,
  LimitError,
  PharosError,
  TimeoutError,
  UnavailableError,
  UnprocessableError,
} from '../errors/errors.ts';
import type { PharosConfig } from '../config/config.schema.ts';
import { EnvelopeStream } from './envelope-stream.ts';
import { PromAnswerDecoder } from './prom-answer-decoder.ts';
import { BodyTooLargeError, httpRequest, type HttpReply } from './http-transport.ts';
import { dedupReplicas } from './replica-dedup.ts';
import { timeoutSignal } from '../async/timeout-signal.ts';

export type ClusterConfig = PharosConfig['clusters'][number];

/** The `data` of a Prometheus API answer, with the answer's warnings (and Prometheus 3's infos). */
export interface ApiAnswer<T = unknown> {
  data: T;
  warnings: string[];
  infos?: string[];
}

/**
 * One call to one cluster's Prometheus HTTP API. An interface so the service can be tested with fakes and
 * so HA replicas are hidden behind it.
 */
/** One call of a cluster's Prometheus HTTP API: `path` under /api/v1/ (`query_range`, `label/x/values`, …). */
export interface ClusterCall {
  cluster: ClusterConfig;
  path: string;
  params: URLSearchParams;
  /**
   * A query answer Pharos passes through as the member wrote it (a cluster-local query): parsed whole in
   * Prometheus's JSON shape, its value strings kept, instead of decoded into compact arrays for the evaluator.
   */
  passThrough?: boolean;
}

export interface ClusterClient {
  call(request: ClusterCall, signal: AbortSignal): Promise<ApiAnswer>;
}

/**
 * A failure of the cluster itself (down, slow, 5xx): partial response leaves it out. Errors about the
 * query (400 bad_data, 422 execution) are re-thrown as they are, since every cluster would say the same.
 */
export class ClusterUnavailableError extends UnavailableError {}

interface PromEnvelope {
  status?: string;
  data?: unknown;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

/**
 * Answers are decoded as they arrive, so the body's text is never held whole: those whose data is a list
 * (`series`, `labels`, label values) element by element (EnvelopeStream); query and query_range answers with
 * each series' points in compact numeric arrays (PromAnswerDecoder: JSON.parse when the answer is small, else the
 * PromAnswerStream tokenizer), unless passed through as they are (their output is that JSON tree anyway, and
 * JSON.parse builds it faster); the others are parsed at the end. The byte
 * bound (`maxBytes`) is the transport's: over it the read stops and the query fails with a limit error instead
 * of the process growing without bound.
 */
function streamDecoder(
  path: string,
  passThrough: boolean,
): { consume: (chunk: Buffer) => void; end: () => unknown } | undefined {
  if (QUERY_PATHS.test(path) && !passThrough) {
    const answer = new PromAnswerDecoder();
    return { consume: (chunk) => answer.push(chunk), end: () => answer.end() };
  }
  if (!LIST_PATHS.test(path)) return undefined;
  const stream = new EnvelopeStream();
  const decoder = new TextDecoder('utf-8');
  return {
    consume: (chunk) => stream.push(decoder.decode(chunk, { stream: true })),
    end: () => {
      stream.push(decoder.decode());
      return stream.end();
    },
  };
}

/** API paths whose `data` is a list. */
const LIST_PATHS = /^(series|labels|label\/[^/]+\/values)$/;
const QUERY_PATHS = /^(query|query_range)$/;

/** The call to one Prometheus (`url`: the cluster's or one of its replicas'), its answer read up to `maxBytes`. */
async function callOne(
  { url, maxBytes }: { url: string; maxBytes: number },
  { cluster, path, params, passThrough }: ClusterCall,
  signal: AbortSignal,
): Promise<ApiAnswer> {
  const timeout = timeoutSignal(cluster.prometheus.timeoutMs, signal);
  // No gzip: Prometheus and Pharos usually sit in one network, and compressing every answer costs both sides CPU.
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    'accept-encoding': 'identity',
  };
  if (cluster.prometheus.bearerToken) headers.authorization = `Bearer ${cluster.prometheus.bearerToken}`;
  let res: HttpReply;
  let body: PromEnvelope;
  try {
    // POST with a form body: what Prometheus accepts for every read endpoint but label values, metadata and
    // the status pages, and no URL length limit.
    const usePost = !path.startsWith('label/') && path !== 'metadata' && !path.startsWith('status/');
    const target = `${url.replace(/\/+$/, '')}/api/v1/${path}${usePost ? '' : `?${params}`}`;
    const list = streamDecoder(path, passThrough === true);
    res = await httpRequest({
      url: target,
      method: usePost ? 'POST' : 'GET',
      headers,
      ...(usePost ? { body: params.toString() } : {}),
      maxBytes,
      signal: timeout.signal,
      ...(list ? { consume: list.consume } : {}),
    });
    body = (list ? list.end() : JSON.parse(res.body)) as PromEnvelope;
  } catch (err) {
    // Reads a body up to `maxBytes`, so one cluster's answer cannot take more memory than that: over it, the
    // read stops and the query fails with a limit error instead of the process growing without bound.
    if (err instanceof BodyTooLargeError)
      throw new LimitError(
        `cluster "${cluster.name}" answered more than federation.maxResponseBytes=${maxBytes} bytes; narrow the query`,
      );
    if (timeout.timedOut())
      throw new ClusterUnavailableError(
        `cluster "${cluster.name}" did not answer within ${cluster.prometheus.timeoutMs} ms`,
      );
    if (signal.aborted) throw signal.reason instanceof PharosError ? signal.reason : new TimeoutError('query aborted');
    throw new ClusterUnavailableError(`cluster "${cluster.name}" is unreachable: ${(err as Error).message}`, err);
  } finally {
    timeout.dispose();
  }
  if (body.status === 'success')
    return { data: body.data, warnings: body.warnings ?? [], ...(body.infos?.length ? { infos: body.infos } : {}) };
  const msg = `cluster "${cluster.name}": ${body.error ?? `HTTP ${res.status}`}`;
  if (res.status === 400 || body.errorType === 'bad_data') throw new InputError(msg);
  if (res.status === 422 || body.errorType === 'execution') throw new UnprocessableError(msg);
  throw new ClusterUnavailableError(msg);
}

/** Calls a cluster's Prometheus over HTTP; with HA replicas, asks all and deduplicates by the replica label. */
export class HttpClusterClient implements ClusterClient {
  constructor(private readonly maxResponseBytes = 256 * 2 ** 20) {}

  async call(request: ClusterCall, signal: AbortSignal): Promise<ApiAnswer> {
    const { cluster, path } = request;
    const maxBytes = this.maxResponseBytes;
    const urls = [cluster.prometheus.url, ...cluster.prometheus.replicas];
    if (urls.length === 1) return callOne({ url: urls[0] as string, maxBytes }, request, signal);
    const settled = await Promise.allSettled(urls.map((url) => callOne({ url, maxBytes }, request, signal)));
    const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const queryError = settled.find((s) => s.status === 'rejected' && !(s.reason instanceof ClusterUnavailableError));
    if (ok.length === 0)
      throw queryError?.status === 'rejected' ? queryError.reason : (settled[0] as PromiseRejectedResult).reason;
    return {
      data: dedupReplicas(
        path,
        ok.map((a) => a.data),
        cluster.prometheus.replicaLabel,
      ),
      warnings: ok.flatMap((a) => a.warnings),
      infos: ok.flatMap((a) => a.infos ?? []),
    };
  }
}
