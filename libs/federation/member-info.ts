import { parse as parseYaml } from 'yaml';
import { tryParseDuration } from '../time/duration.ts';
import type { ClusterClient, ClusterConfig } from './prometheus.client.ts';

/**
 * What Pharos knows of each member Prometheus: its version (GET /api/v1/status/buildinfo), its enabled
 * features and lookback (/api/v1/status/flags) and its global evaluation interval (/api/v1/status/config,
 * the step of subqueries written without one). Learned at start and refreshed periodically; a member that
 * could not be asked is asked again, at most every RETRY_MS, when a query needs it.
 */
export interface MemberInfo {
  /** As the member reports it, e.g. "3.16.0" or "2.42.0+ds"; "" when the build did not stamp one. */
  version?: string;
  /** From the version, or for an unstamped build from the flags (below); undefined when neither tells. */
  major?: 2 | 3;
  /** --enable-feature values. */
  features: string[];
  lookbackDeltaMs: number;
  evaluationIntervalMs: number;
  /** Set when the member could not be asked; the rest are then defaults. */
  error?: string;
  checkedAt: number;
}

const DEFAULT_LOOKBACK_MS = 300_000;
const DEFAULT_EVALUATION_INTERVAL_MS = 60_000;
const RETRY_MS = 10_000;

/** A flag 2.x has and 3.0 removed, and one 3.x has that 2.x lacks: the version of an unstamped build. */
const ONLY_2 = 'storage.tsdb.allow-overlapping-blocks';
const ONLY_3 = 'web.enable-otlp-receiver';

export function majorOf(version: string | undefined, flags: Record<string, string>): 2 | 3 | undefined {
  const m = /^v?(\d+)\./.exec(version ?? '');
  const major = m ? Number(m[1]) : undefined;
  if (major === 2 || major === 3) return major;
  if (major !== undefined && major > 3) return 3;
  if (ONLY_2 in flags) return 2;
  if (ONLY_3 in flags) return 3;
  return undefined;
}

function evaluationInterval(configYaml: unknown): number {
  try {
    const doc = parseYaml(String(configYaml ?? '')) as { global?: { evaluation_interval?: string } } | null;
    const v = doc?.global?.evaluation_interval;
    return (v && tryParseDuration(v)) || DEFAULT_EVALUATION_INTERVAL_MS;
  } catch {
    return DEFAULT_EVALUATION_INTERVAL_MS;
  }
}

export interface MemberInfoOptions {
  clusters: readonly ClusterConfig[];
  client: ClusterClient;
  /** How often every member is asked again. */
  refreshMs: number;
  now?: () => number;
}

export class MemberInfoCache {
  private readonly infos = new Map<string, MemberInfo>();
  private readonly inFlight = new Map<string, Promise<MemberInfo>>();
  private readonly byName: Map<string, ClusterConfig>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: MemberInfoOptions) {
    this.byName = new Map(opts.clusters.map((c) => [c.name, c]));
    this.now = opts.now ?? Date.now;
  }

  /** Asks every member now and then every refreshMs (the timer does not keep the process alive). */
  start(): void {
    if (this.timer || this.opts.clusters.length === 0) return;
    void this.refreshAll();
    this.timer = setInterval(() => void this.refreshAll(), this.opts.refreshMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get(name: string): MemberInfo | undefined {
    return this.infos.get(name);
  }

  /** What is known now, without asking anyone. */
  known(): ReadonlyMap<string, MemberInfo> {
    return this.infos;
  }

  /** The members' infos, asking those never asked, stale, or failed more than RETRY_MS ago. */
  async ensure(names: readonly string[], signal?: AbortSignal): Promise<Map<string, MemberInfo>> {
    const t = this.now();
    await Promise.all(
      names.map((n) => {
        const have = this.infos.get(n);
        const stale =
          !have ||
          t - have.checkedAt > this.opts.refreshMs ||
          (have.error !== undefined && t - have.checkedAt > RETRY_MS);
        return stale ? this.fetch(n, signal) : undefined;
      }),
    );
    return new Map(names.flatMap((n) => (this.infos.has(n) ? [[n, this.infos.get(n) as MemberInfo]] : [])));
  }

  private async refreshAll(): Promise<void> {
    await Promise.all(this.opts.clusters.map((c) => this.fetch(c.name)));
  }

  private fetch(name: string, signal?: AbortSignal): Promise<MemberInfo> {
    const running = this.inFlight.get(name);
    if (running) return running;
    const p = this.ask(name, signal).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, p);
    return p;
  }

  private async ask(name: string, signal?: AbortSignal): Promise<MemberInfo> {
    const cluster = this.byName.get(name) as ClusterConfig;
    const sig = signal
      ? AbortSignal.any([signal, AbortSignal.timeout(cluster.prometheus.timeoutMs)])
      : AbortSignal.timeout(cluster.prometheus.timeoutMs);
    const call = (path: string) =>
      this.opts.client.call({ cluster, path, params: new URLSearchParams() }, sig).then((a) => a.data);
    let info: MemberInfo;
    try {
      const [build, flags, config] = await Promise.all([
        call('status/buildinfo'),
        call('status/flags'),
        call('status/config').catch(() => undefined),
      ]);
      const f = (flags ?? {}) as Record<string, string>;
      const version = String((build as { version?: string } | undefined)?.version ?? '');
      const major = majorOf(version, f);
      info = {
        version,
        ...(major ? { major } : {}),
        features: (f['enable-feature'] ?? '')
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean),
        lookbackDeltaMs: tryParseDuration(f['query.lookback-delta'] ?? '') ?? DEFAULT_LOOKBACK_MS,
        evaluationIntervalMs: evaluationInterval((config as { yaml?: string } | undefined)?.yaml),
        checkedAt: this.now(),
      };
    } catch (err) {
      const prev = this.infos.get(name);
      // A member that answered before and fails now keeps what it said (it is most likely just down).
      info =
        prev && prev.error === undefined
          ? { ...prev, checkedAt: this.now() - this.opts.refreshMs + RETRY_MS }
          : {
              features: [],
              lookbackDeltaMs: DEFAULT_LOOKBACK_MS,
              evaluationIntervalMs: DEFAULT_EVALUATION_INTERVAL_MS,
              error: (err as Error).message,
              checkedAt: this.now(),
            };
    }
    this.infos.set(name, info);
    return info;
  }
}
