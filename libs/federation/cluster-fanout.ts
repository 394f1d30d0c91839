import { PharosError, TimeoutError, UnavailableError } from '../errors/errors.ts';
import { timeoutSignal, type TimeoutSignal } from '../async/timeout-signal.ts';
import type { ClusterStatus } from './federation.types.ts';
import {
  ClusterUnavailableError,
  type ApiAnswer,
  type ClusterClient,
  type ClusterConfig,
} from './prometheus.client.ts';

export interface FanoutCall {
  cluster: ClusterConfig;
  path: string;
  params: URLSearchParams;
  /** ClusterCall.passThrough. */
  passThrough?: boolean;
}

export interface FanoutResult {
  /** Answers by call index; undefined where the cluster failed. */
  answers: (ApiAnswer | undefined)[];
  /** Clusters that failed on any call: their data is left out of every part of the query. */
  failed: Map<string, string>;
  statuses: Record<string, ClusterStatus>;
  warnings: string[];
  /** Prometheus 3's info annotations of the answers, each once. */
  infos: string[];
}

/**
 * Runs calls in parallel under one deadline (`timeoutMs`, chained to the caller's `signal`, cleared once they
 * settle). A failed cluster (down, slow, 5xx) is dropped from the whole
 * query with a warning, or fails the query when partial response is off; an error about the query itself
 * (bad_data, execution) fails the query, since the union would fail the same way.
 */
export async function fanOut(
  client: ClusterClient,
  calls: FanoutCall[],
  opts: { partial: boolean; timeoutMs: number; signal?: AbortSignal; asked: string[] },
): Promise<FanoutResult> {
  const deadline = queryDeadline(opts.timeoutMs, opts.signal);
  try {
    return collect(calls, await Promise.allSettled(calls.map((c) => client.call(c, deadline.signal))), {
      ...opts,
      signal: deadline.signal,
    });
  } finally {
    deadline.dispose();
  }
}

function collect(
  calls: FanoutCall[],
  settled: PromiseSettledResult<ApiAnswer>[],
  opts: { partial: boolean; signal: AbortSignal; asked: string[] },
): FanoutResult {
  const failed = new Map<string, string>();
  const answers: (ApiAnswer | undefined)[] = [];
  settled.forEach((s, i) => {
    const call = calls[i] as FanoutCall;
    if (s.status === 'fulfilled') answers.push(s.value);
    else {
      answers.push(undefined);
      if (!(s.reason instanceof ClusterUnavailableError))
        throw s.reason instanceof PharosError
          ? s.reason
          : new UnavailableError(`cluster "${call.cluster.name}": ${String(s.reason)}`, s.reason);
      if (!failed.has(call.cluster.name)) failed.set(call.cluster.name, (s.reason as Error).message);
    }
  });
  if (opts.signal.aborted)
    throw opts.signal.reason instanceof PharosError ? opts.signal.reason : new TimeoutError('query timed out');
  if (failed.size > 0 && !opts.partial) {
    const list = [...failed].map(([c, e]) => `${c}: ${e}`).join('; ');
    const allTimeouts = [...failed.values()].every((e) => e.includes('did not answer within'));
    throw allTimeouts
      ? new TimeoutError(`partial_response=false and clusters failed: ${list}`)
      : new UnavailableError(`partial_response=false and clusters failed: ${list}`);
  }
  const statuses: Record<string, ClusterStatus> = {};
  for (const c of opts.asked)
    statuses[c] = failed.has(c) ? { status: 'error', error: failed.get(c) as string } : { status: 'ok' };
  const warnings = [...failed].map(([c, e]) => `cluster "${c}" left out of the result: ${e}`);
  // Every cluster reports the same annotation for the same expression: each is kept once, as the union gives it.
  const seen = new Set(warnings);
  const infos = new Set<string>();
  for (const a of answers) {
    for (const w of a?.warnings ?? []) {
      if (seen.has(w)) continue;
      warnings.push(w);
      seen.add(w);
    }
    for (const i of a?.infos ?? []) infos.add(i);
  }
  return { answers, failed, statuses, warnings, infos: [...infos] };
}

/** A deadline signal for the whole query, chained to the caller's signal; `dispose` once the query is answered. */
function queryDeadline(timeoutMs: number, signal?: AbortSignal): TimeoutSignal {
  return timeoutSignal(timeoutMs, signal, () => new TimeoutError(`query timed out after ${timeoutMs} ms`));
}
