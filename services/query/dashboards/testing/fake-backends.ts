import type { FederatedResult, InstantQuery, RangeQuery } from '../../../../libs/federation/federation.types.ts';
import type { RecordKind } from '../../../../libs/schemas/records.ts';
import type { MetricsPort, RecordsPort, RecordsQuery } from '../dashboards.ports.ts';

/**
 * A scripted federation for unit tests: answers by metric name in the query (a matrix of two points per
 * known series); queries naming `boom` fail; every call is recorded for assertions.
 */
export class FakeMetrics implements MetricsPort {
  readonly calls: { kind: 'instant' | 'range' | 'labelValues'; query: string; step?: number; time?: number }[] = [];
  constructor(private readonly series: Record<string, Record<string, string>[]> = {}) {}

  clusters(): string[] {
    return ['east', 'west'];
  }

  private matching(query: string) {
    return Object.entries(this.series)
      .filter(([name]) => new RegExp(`\\b${name}\\b`).test(query))
      .flatMap(([name, list]) => list.map((l) => ({ __name__: name, ...l })));
  }

  async instant(q: InstantQuery): Promise<FederatedResult> {
    this.calls.push({ kind: 'instant', query: q.query, time: q.time });
    if (q.query.includes('boom')) throw new Error('prometheus exploded');
    return {
      resultType: 'vector',
      result: this.matching(q.query).map((metric) => ({ metric, value: [q.time, '42'] })),
      warnings: [],
      clusters: { east: { status: 'ok' } },
    };
  }

  async range(q: RangeQuery): Promise<FederatedResult> {
    this.calls.push({ kind: 'range', query: q.query, step: q.step });
    if (q.query.includes('boom')) throw new Error('prometheus exploded');
    const result = this.matching(q.query).map((metric) => ({
      metric,
      values: [
        [q.start, '1'],
        [q.start + q.step, 'NaN'],
      ],
    }));
    return {
      resultType: 'matrix',
      result,
      warnings: [],
      clusters: { east: { status: 'ok' }, west: { status: 'error', error: 'down' } },
    };
  }

  async labelValues(name: string, q?: { match?: string[] }): Promise<{ data: string[]; warnings: string[] }> {
    this.calls.push({ kind: 'labelValues', query: `${name} ${q?.match?.join(',') ?? ''}` });
    if (name === '__name__')
      return {
        data: Object.keys(this.series).filter((n) => q?.match?.some((m) => m === n || m.startsWith(`${n}{`))),
        warnings: [],
      };
    const values = Object.values(this.series)
      .flat()
      .map((l) => l[name])
      .filter((v): v is string => !!v);
    return { data: [...new Set(values)], warnings: [] };
  }
}

export class FakeRecords implements RecordsPort {
  readonly calls: { kind: RecordKind; query: RecordsQuery }[] = [];
  async search(kind: RecordKind, query: RecordsQuery) {
    this.calls.push({ kind, query });
    const items = [
      {
        id: 'e1',
        kind: 'events',
        cluster: 'east',
        namespace: 'default',
        time: query.end - 1,
        ingestedAt: query.end,
        reason: 'BackOff',
        message: 'Back-off restarting',
        raw: { big: true },
      },
    ];
    return { total: 1, items: items as never, cursor: null };
  }
}
