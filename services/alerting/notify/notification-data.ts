import type { NotifiableAlert } from '../engine/notifiable.ts';
import { GoTime, ZERO_MS } from '../template/go-time.ts';

/**
 * A label set with Alertmanager's template methods (template/template.go KV): SortedPairs (alertname first, then
 * by name), Names, Values, Remove.
 */
export class KV {
  [label: string]: unknown;
  constructor(labels: Readonly<Record<string, string>>) {
    Object.assign(this, labels);
  }
  private own(): [string, string][] {
    const entries = Object.entries(this as Record<string, unknown>).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    );
    const rest = entries.filter(([k]) => k !== 'alertname').sort(([a], [b]) => (a < b ? -1 : 1));
    const name = entries.find(([k]) => k === 'alertname');
    return name ? [name, ...rest] : rest;
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
  Remove(names: unknown): KV {
    const drop = new Set(Array.isArray(names) ? names.map(String) : []);
    return new KV(Object.fromEntries(this.own().filter(([k]) => !drop.has(k))));
  }
}

export interface TemplateAlert {
  Status: 'firing' | 'resolved';
  Labels: KV;
  Annotations: KV;
  StartsAt: GoTime;
  /** Go's zero time while the alert fires. */
  EndsAt: GoTime;
  GeneratorURL: string;
  Fingerprint: string;
}

/** Alertmanager's notification template data (template.Data), so pasted templates keep working. */
export interface NotificationData {
  /** regexp.QuoteMeta of the receiver name, as Alertmanager puts it there. */
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

/** Go's regexp.QuoteMeta. */
export const quoteMeta = (s: string): string => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

/** prometheus/common LabelSet.Before: fewer labels first, then the first differing value in name order. */
function labelSetBefore(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return ka.length - kb.length;
  for (const name of [...new Set([...ka, ...kb])].sort()) {
    const va = a[name];
    const vb = b[name];
    if (va === undefined) return -1;
    if (vb === undefined) return 1;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return 0;
}

/** types.AlertSlice order, which Alertmanager sorts a group's alerts by before notifying: job, instance, labels. */
export function alertOrder(a: NotifiableAlert, b: NotifiableAlert): number {
  for (const key of ['job', 'instance']) {
    const x = a.labels[key];
    const y = b.labels[key];
    if (x === undefined && y === undefined) continue;
    if (x === undefined) return 1;
    if (y === undefined) return -1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return labelSetBefore(a.labels, b.labels);
}

export function notificationData(opts: {
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: readonly NotifiableAlert[];
  now: number;
  externalUrl: string;
}): NotificationData {
  const sorted = [...opts.alerts].sort(alertOrder);
  const list = sorted.map((a): TemplateAlert => {
    const resolved = a.endsAt !== undefined && a.endsAt <= opts.now;
    return {
      Status: resolved ? 'resolved' : 'firing',
      Labels: new KV(a.labels),
      Annotations: new KV(a.annotations),
      StartsAt: new GoTime(a.startsAt),
      EndsAt: new GoTime(a.endsAt !== undefined && resolved ? a.endsAt : ZERO_MS),
      GeneratorURL: a.generatorURL,
      Fingerprint: a.fingerprint,
    };
  });
  const alerts = Object.assign(list, {
    Firing: () => list.filter((a) => a.Status === 'firing'),
    Resolved: () => list.filter((a) => a.Status === 'resolved'),
  });
  return {
    Receiver: quoteMeta(opts.receiver),
    Status: list.some((a) => a.Status === 'firing') ? 'firing' : 'resolved',
    Alerts: alerts,
    GroupLabels: new KV(opts.groupLabels),
    CommonLabels: new KV(common(sorted.map((a) => a.labels))),
    CommonAnnotations: new KV(common(sorted.map((a) => a.annotations))),
    ExternalURL: opts.externalUrl,
    GroupKey: opts.groupKey,
  };
}
