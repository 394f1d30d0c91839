import type { Scope } from '../../../libs/auth/principal.ts';
import { InputError } from '../../../libs/errors/errors.ts';
import { compileMatcherRegex, type Regex, type RegexError } from '../../../libs/text/regex.ts';
import { alertVisible } from '../../../libs/tenancy/alert-scope.ts';
import { fingerprint } from '../engine/fingerprint.ts';
import { isResolved, type NotifiableAlert } from '../engine/notifiable.ts';
import type { Dispatcher } from '../notify/dispatcher.ts';
import { matchesAll, type Matcher } from '../notify/matchers.ts';

/** GET /api/v2/alerts's filters (Alertmanager api/v2/openapi.yaml: getAlerts). */
export interface ReceivedAlertsFilter {
  matchers: Matcher[];
  active?: boolean | undefined;
  silenced?: boolean | undefined;
  inhibited?: boolean | undefined;
  /** A regex on receiver names. */
  receiver?: string | undefined;
}

/** postableAlert, times already validated as RFC 3339. */
export interface PostedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  generatorURL: string;
}

export interface AlertmanagerAlertsServiceOptions {
  dispatcher: Pick<Dispatcher, 'all' | 'receiversFor' | 'status' | 'put'>;
  /** global.resolve_timeout in ms. */
  resolveTimeoutMs: number;
  now?: () => number;
}

/** Alertmanager compiles the receiver filter as `^(?:re)$` with Go's regexp (api/v2/api.go): RE2, `.` stops at `\n`. */
function anchored(pattern: string): Regex {
  try {
    return compileMatcherRegex(pattern, { dotAll: false });
  } catch (err) {
    throw new InputError(`invalid receiver regex: ${(err as RegexError).reason}`, [
      { path: 'querystring.receiver', message: 'invalid regular expression' },
    ]);
  }
}

/** The alerts the notification pipeline holds (from the rule engine and posted by Prometheus), as Alertmanager v2. */
export class AlertmanagerAlertsService {
  private readonly now: () => number;
  constructor(private readonly opts: AlertmanagerAlertsServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** gettableAlerts: unresolved alerts in the caller's scope, with their receivers and suppression. */
  async list(scope: Scope, filter: ReceivedAlertsFilter) {
    const { dispatcher, resolveTimeoutMs } = this.opts;
    const receiverRe = filter.receiver === undefined ? undefined : anchored(filter.receiver);
    const now = this.now();
    const out = [];
    for (const a of dispatcher.all()) {
      if (isResolved(a, now) || !matchesAll(filter.matchers, a.labels) || !alertVisible(scope, a.labels)) continue;
      const receivers = dispatcher.receiversFor(a.labels);
      if (receiverRe && !receivers.some((r) => receiverRe.test(r))) continue;
      const { silencedBy, inhibitedBy } = await dispatcher.status(a);
      const state = silencedBy.length || inhibitedBy.length ? 'suppressed' : 'active';
      if (
        (state === 'active' && filter.active === false) ||
        (silencedBy.length && filter.silenced === false) ||
        (inhibitedBy.length && filter.inhibited === false)
      )
        continue;
      out.push({
        labels: a.labels,
        annotations: a.annotations,
        startsAt: new Date(a.startsAt).toISOString(),
        endsAt: new Date(a.endsAt ?? now + resolveTimeoutMs).toISOString(),
        updatedAt: new Date(a.updatedAt).toISOString(),
        generatorURL: a.generatorURL,
        fingerprint: a.fingerprint,
        receivers: receivers.map((name) => ({ name })),
        status: { state, silencedBy, inhibitedBy },
      });
    }
    return out;
  }

  /** postAlerts: into the notification pipeline, as Prometheus sends them. */
  receive(posted: readonly PostedAlert[]): void {
    const now = this.now();
    const alerts: NotifiableAlert[] = posted.map((a) => {
      const startsAt = a.startsAt ? Date.parse(a.startsAt) : now;
      // Alertmanager: an alert without endsAt is firing until resolve_timeout passes without an update.
      const endsAt = a.endsAt && Date.parse(a.endsAt) > 0 ? Date.parse(a.endsAt) : now + this.opts.resolveTimeoutMs;
      return {
        fingerprint: fingerprint(a.labels),
        labels: a.labels,
        annotations: a.annotations,
        startsAt,
        endsAt,
        generatorURL: a.generatorURL,
        updatedAt: now,
      };
    });
    this.opts.dispatcher.put(alerts);
  }
}
