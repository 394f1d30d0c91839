import type { NotifiableAlert } from '../engine/notifiable.ts';

/** A label set with Alertmanager's template methods (template/template.go KV): SortedPairs, Names, Values, Remove. */
export class KV {
  [label: string]: unknown;
  constructor(labels: Readonly<Record<string, string>>) {
    Object.assign(this, labels);
  }
  private own(): [string, string][] {
    return Object.entries(this as Record<string, unknown>)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .sort(([a], [b]) => (a < b ? -1 : 1));
  }
  SortedPairs(): { Name: string; Value: string }[] & { Names: () => string[]; Values: () => string[] } {
    const pairs = this.own().map(([Name, Value]) => ({ Name, Value }));
    return Object.assign(pairs, { Names: () => pairs.map((p) => p.Name), Values: () => pairs.map((p) => p.Value) });
  }
  Names(): string[] {
    return this.own().map(([k]) => k);
  }
  Values(): string[] {
    return this.own().map(([, v]) => v);
  }
}

export interface TemplateAlert {
  Status: 'firing' | 'resolved';
  Labels: KV;
  Annotations: KV;
  StartsAt: string;
  EndsAt: string;
  GeneratorURL: string;
  Fingerprint: string;
}

/** Alertmanager's notification template data (template.Data), so pasted email templates keep working. */
export interface NotificationData {
  Receiver: string;
  Status: 'firing' | 'resolved';
  Alerts: TemplateAlert[] & { Firing: () => TemplateAlert[]; Resolved: () => TemplateAlert[] };
  GroupLabels: KV;
  CommonLabels: KV;
  CommonAnnotations: KV;
  ExternalURL: string;
  GroupKey: string;
}

/** Go's zero time, which Alertmanager sends as endsAt of a firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function common(maps: Record<string, string>[]): Record<string, string> {
  if (!maps.length) return {};
  const [first, ...rest] = maps as [Record<string, string>, ...Record<string, string>[]];
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

export function notificationData(opts: { receiver: string; groupKey: string; groupLabels: Record<string, string>; alerts: readonly NotifiableAlert[]; now: number; externalUrl: string }): NotificationData {
  const list = opts.alerts.map((a): TemplateAlert => {
    const resolved = a.endsAt !== undefined && a.endsAt <= opts.now;
    return {
      Status: resolved ? 'resolved' : 'firing',
      Labels: new KV(a.labels),
      Annotations: new KV(a.annotations),
      StartsAt: new Date(a.startsAt).toISOString(),
      EndsAt: a.endsAt !== undefined && resolved ? new Date(a.endsAt).toISOString() : ZERO_TIME,
      GeneratorURL: a.generatorURL,
      Fingerprint: a.fingerprint,
    };
  });
  const alerts = Object.assign(list, { Firing: () => list.filter((a) => a.Status === 'firing'), Resolved: () => list.filter((a) => a.Status === 'resolved') });
  return {
    Receiver: opts.receiver,
    Status: list.some((a) => a.Status === 'firing') ? 'firing' : 'resolved',
    Alerts: alerts,
    GroupLabels: new KV(opts.groupLabels),
    CommonLabels: new KV(common(opts.alerts.map((a) => a.labels))),
    CommonAnnotations: new KV(common(opts.alerts.map((a) => a.annotations))),
    ExternalURL: opts.externalUrl,
    GroupKey: opts.groupKey,
  };
}
