import type { Scope } from '../../../libs/auth/principal.ts';
import { InputError } from '../../../libs/errors/errors.ts';
import { alertVisible } from '../../../libs/tenancy/alert-scope.ts';
import type { AlertRepository } from '../engine/alert-repository.ts';
import { matchesAll, type Matcher } from '../notify/matchers.ts';

export interface ActiveAlertsFilter {
  state?: 'pending' | 'firing' | undefined;
  alertname?: string | undefined;
  matchers: Matcher[];
}

export interface HistoryFilter {
  alertname?: string | undefined;
  state?: 'pending' | 'firing' | 'inactive' | undefined;
  /** Label equalities only: the history store filters on them. */
  matchers: Matcher[];
  limit: number;
  cursor?: string | undefined;
}

export interface AlertsServiceOptions {
  repo: Pick<AlertRepository, 'loadAll' | 'history'>;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The rule engine's alerts (pending and firing) and their transition history, within the caller's scope. */
export class AlertsService {
  constructor(private readonly opts: AlertsServiceOptions) {}

  /** Active alerts of every rule that pass the filter, oldest activation first. */
  async active(scope: Scope, filter: ActiveAlertsFilter) {
    const states = await this.opts.repo.loadAll();
    const alerts = [];
    for (const s of states.values()) {
      for (const a of s.alerts) {
        if (a.state === 'inactive' || (filter.state && a.state !== filter.state)) continue;
        if (filter.alertname && a.labels.alertname !== filter.alertname) continue;
        if (!matchesAll(filter.matchers, a.labels) || !alertVisible(scope, a.labels)) continue;
        alerts.push({
          fingerprint: a.fingerprint,
          state: a.state,
          labels: a.labels,
          annotations: a.annotations,
          value: a.value,
          activeAt: iso(a.activeAt),
          ...(a.firedAt ? { firedAt: iso(a.firedAt) } : {}),
          rule: { group: s.group, health: s.health, clusterErrors: s.clusterErrors },
        });
      }
    }
    alerts.sort((x, y) => (x.activeAt < y.activeAt ? -1 : 1));
    return { alerts };
  }

  /** One page of state transitions, newest first; entries outside the caller's scope are left out of the page. */
  async history(scope: Scope, filter: HistoryFilter) {
    const page = await this.opts.repo.history(historyQuery(filter));
    return {
      items: page.items
        .filter((e) => alertVisible(scope, e.labels))
        .map((e) => ({
          time: iso(e.time),
          alertname: e.alertname,
          fingerprint: e.fingerprint,
          from: e.from,
          to: e.to,
          value: e.value,
          labels: e.labels,
          group: e.group,
        })),
      next: page.next,
    };
  }
}

type HistoryQuery = Parameters<AlertRepository['history']>[0];

function historyQuery(filter: HistoryFilter): HistoryQuery {
  const labels: Record<string, string> = {};
  for (const mt of filter.matchers) {
    if (mt.type !== '=')
      throw new InputError('history filters are label equalities (name="value")', [
        { path: 'querystring.filter', message: 'use =' },
      ]);
    labels[mt.name] = mt.value;
  }
  return {
    ...(filter.alertname ? { alertname: filter.alertname } : {}),
    ...(filter.state ? { state: filter.state } : {}),
    labels,
    limit: filter.limit,
    ...(filter.cursor ? { cursor: filter.cursor } : {}),
  };
}
