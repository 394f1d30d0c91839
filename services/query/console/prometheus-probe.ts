import type { PharosConfig } from '../../../libs/config/config.schema.ts';

type ClusterConfig = PharosConfig['clusters'][number];

/** What one look at a cluster's Prometheus found. */
export interface PrometheusHealth {
  reachable: boolean;
  /** `data.version` of /api/v1/status/buildinfo (Prometheus's HTTP API, "Build information"). */
  version?: string;
  responseMs?: number;
  error?: string;
  /** Servers behind the cluster (the main URL and its HA replicas), and how many of them answered. */
  endpoints: number;
  endpointsUp: number;
}

export interface ProbeOptions {
  /** Longest wait for one server; a cluster's own timeoutMs applies when shorter. */
  timeoutMs: number;
  /** Answers are reused this long, so a console left open does not ping every Prometheus on each refresh. */
  cacheMs: number;
  now?: () => number;
}

/** Asks each server of a cluster for its build information and times the answer. */
export class PrometheusProbe {
  private readonly cache = new Map<string, { at: number; health: Promise<PrometheusHealth> }>();
  private readonly now: () => number;

  constructor(private readonly options: ProbeOptions) {
    this.now = options.now ?? Date.now;
  }

  health(cluster: ClusterConfig): Promise<PrometheusHealth> {
    const hit = this.cache.get(cluster.name);
    if (hit && this.now() - hit.at < this.options.cacheMs) return hit.health;
    const health = this.probeAll(cluster);
    this.cache.set(cluster.name, { at: this.now(), health });
    return health;
  }

  private async probeAll(cluster: ClusterConfig): Promise<PrometheusHealth> {
    const urls = [cluster.prometheus.url, ...cluster.prometheus.replicas];
    const answers = await Promise.all(urls.map((url) => this.probe(url, cluster)));
    const up = answers.filter((a) => a.reachable);
    const first = up[0];
    if (first) return { ...first, endpoints: urls.length, endpointsUp: up.length };
    return { reachable: false, error: answers.map((a) => a.error).join('; '), endpoints: urls.length, endpointsUp: 0 };
  }

  private async probe(
    url: string,
    cluster: ClusterConfig,
  ): Promise<Omit<PrometheusHealth, 'endpoints' | 'endpointsUp'>> {
    const started = performance.now();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (cluster.prometheus.bearerToken) headers.authorization = `Bearer ${cluster.prometheus.bearerToken}`;
    const timeoutMs = Math.min(this.options.timeoutMs, cluster.prometheus.timeoutMs);
    try {
      const res = await fetch(`${url.replace(/\/+$/, '')}/api/v1/status/buildinfo`, {
        headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const responseMs = Math.round(performance.now() - started);
      const body = (await res.json().catch(() => ({}))) as { status?: string; data?: { version?: string } };
      if (!res.ok || body.status !== 'success')
        return { reachable: false, responseMs, error: `HTTP ${res.status} from ${url}/api/v1/status/buildinfo` };
      return { reachable: true, responseMs, ...(body.data?.version ? { version: body.data.version } : {}) };
    } catch (err) {
      const e = err as Error;
      return {
        reachable: false,
        error:
          e.name === 'TimeoutError'
            ? `no answer within ${timeoutMs} ms`
            : `unreachable: ${(e.cause as Error | undefined)?.message ?? e.message}`,
      };
    }
  }
}
