/**
 * An alert as the notification side sees it: Alertmanager's model (labels, annotations, startsAt, endsAt,
 * generatorURL). Both Pharos's own rules and alerts posted to /alertmanager/api/v2/alerts arrive as these.
 * Times are epoch ms; endsAt undefined means "firing until told otherwise".
 */
export interface NotifiableAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt?: number;
  generatorURL: string;
  updatedAt: number;
}

export interface AlertSink {
  put(alerts: readonly NotifiableAlert[]): void;
}

export const isResolved = (a: NotifiableAlert, now: number): boolean => a.endsAt !== undefined && a.endsAt <= now;
