import { isUnrestricted, type Scope } from '../../../libs/auth/principal.ts';
import type { PharosConfig } from '../../../libs/config/config.schema.ts';
import { RECORD_KINDS, type RecordKind } from '../../../libs/schemas/records.ts';
import type { RecordsService } from '../records/records.service.ts';
import type { SearchQuery, StatsQuery } from '../records/records.schemas.ts';
import type { PrometheusHealth, PrometheusProbe } from './prometheus-probe.ts';

type ClusterConfig = PharosConfig['clusters'][number];

export interface KindActivity {
  /** Records of the last 24 hours (by record time), within the caller's scope. */
  last24h: number;
  /** Records per minute over the last RATE_WINDOW_MIN minutes. */
  perMinute: number;
  /** Time of the newest record of the last 24 hours, and when its collector accepted it (epoch ms). */
  lastRecordAt: number | null;
  lastIngestedAt: number | null;
}

export interface ClusterRow {
  name: string;
  /** In `clusters[]` of the configuration (has a Prometheus), or only seen in the records. */
  configured: boolean;
  prometheus: PrometheusHealth | null;
  records: Record<RecordKind, KindActivity>;
  /** The latest time this cluster's collector accepted a record now stored (newest of lastIngestedAt). */
  collectorLastSeen: number | null;
}

export interface ClustersAnswer {
  generatedAt: number;
  clusters: ClusterRow[];
  /** Bus messages per kind not yet stored by the indexer group; null when this process cannot know it. */
  indexerLag: Record<RecordKind, number | null>;
  /** Why some rows may be missing or partial for this caller. */
  scopeNote?: string;
}

export interface ClustersServiceOptions {
  clusters: () => readonly ClusterConfig[];
  records: RecordsService;
  probe: PrometheusProbe;
  /** Indexer consumer-group lag per kind, or undefined when the bus does not know it. */
  indexerLag: (kind: RecordKind) => Promise<number | undefined>;
  now?: () => number;
}

const RATE_WINDOW_MIN = 5;
const MAX_CLUSTERS = 1000;

/**
 * The console's Clusters page: one row per configured or seen cluster with its Prometheus's health, its
 * collector's last record and its record rates, and the indexer's lag. Records are counted through the
 * records service, so the caller's scope applies exactly as in Explore. Knows no HTTP.
 */
export class ClustersService {
  private readonly now: () => number;
  constructor(private readonly options: ClustersServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  async list(scope: Scope): Promise<ClustersAnswer> {
    const now = this.now();
    const window = (minutes: number) => ({
      start: String((now - minutes * 60_000) / 1000),
      end: String(now / 1000 + 60),
    });
    const counts = await Promise.all(
      RECORD_KINDS.map(async (kind) => {
        const stats = (minutes: number) =>
          this.options.records.stats(
            kind,
            { by: 'cluster', size: MAX_CLUSTERS, ...window(minutes) } as StatsQuery,
            scope,
          );
        const [day, recent] = await Promise.all([stats(24 * 60), stats(RATE_WINDOW_MIN)]);
        return {
          kind,
          day: new Map(day.groups.map((g) => [g.key, g.count])),
          recent: new Map(recent.groups.map((g) => [g.key, g.count])),
        };
      }),
    );
    const configured = this.options
      .clusters()
      .filter((c) => isUnrestricted(scope.clusters) || scope.clusters.includes(c.name));
    const names = [...new Set([...configured.map((c) => c.name), ...counts.flatMap((c) => [...c.day.keys()])])].sort();
    const [rows, lag] = await Promise.all([
      Promise.all(
        names.map((name) =>
          this.row({ name, config: configured.find((c) => c.name === name) }, { counts, day: window(24 * 60) }, scope),
        ),
      ),
      this.lag(),
    ]);
    const restricted = !isUnrestricted(scope.clusters) || !isUnrestricted(scope.namespaces);
    return {
      generatedAt: now,
      clusters: rows,
      indexerLag: lag,
      ...(restricted
        ? {
            scopeNote: `Your token is limited to clusters ${scope.clusters.join(', ')} and namespaces ${scope.namespaces.join(', ')}: other clusters are hidden and counts include only records of your namespaces.`,
          }
        : {}),
    };
  }

  /** One cluster's row: `counts` per kind over the last day (`day`, the window) and the last minutes. */
  private async row(
    { name, config }: { name: string; config: ClusterConfig | undefined },
    {
      counts,
      day,
    }: {
      counts: { kind: RecordKind; day: Map<string, number>; recent: Map<string, number> }[];
      day: { start: string; end: string };
    },
    scope: Scope,
  ): Promise<ClusterRow> {
    const [prometheus, ...activity] = await Promise.all([
      config ? this.options.probe.health(config) : Promise.resolve(null),
      ...counts.map(async ({ kind, day: d, recent }) => {
        const last24h = d.get(name) ?? 0;
        const newest =
          last24h > 0
            ? (
                await this.options.records.search(
                  kind,
                  { cluster: name, sort: 'desc', size: 1, ...day } as SearchQuery,
                  scope,
                )
              ).items[0]
            : undefined;
        const a: KindActivity = {
          last24h,
          perMinute: Math.round(((recent.get(name) ?? 0) / RATE_WINDOW_MIN) * 10) / 10,
          lastRecordAt: newest?.time ?? null,
          lastIngestedAt: newest?.ingestedAt ?? null,
        };
        return [kind, a] as const;
      }),
    ]);
    const records = Object.fromEntries(activity) as Record<RecordKind, KindActivity>;
    const seen = Object.values(records)
      .map((r) => r.lastIngestedAt)
      .filter((t): t is number => t !== null);
    return {
      name,
      configured: config !== undefined,
      prometheus,
      records,
      collectorLastSeen: seen.length ? Math.max(...seen) : null,
    };
  }

  private async lag(): Promise<Record<RecordKind, number | null>> {
    const entries = await Promise.all(
      RECORD_KINDS.map(async (k) => [k, (await this.options.indexerLag(k).catch(() => undefined)) ?? null] as const),
    );
    return Object.fromEntries(entries) as Record<RecordKind, number | null>;
  }
}
