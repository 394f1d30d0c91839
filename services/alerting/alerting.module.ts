import { hostname } from 'node:os';
import type { AlertingConfig } from '../../libs/config/sections/alerting.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import type { Registry } from 'prom-client';
import type { StateStore } from '../../libs/store/state-store.ts';
import { configNotes } from '../../libs/config/sections/alertmanager/am-notes.ts';
import { modelDurationMs } from '../../libs/config/sections/alertmanager/am-primitives.ts';
import type { PointLimits } from '../../libs/promql/query-cost.ts';
import { AlertEngine } from './engine/alert-engine.ts';
import { AlertRepository } from './engine/alert-repository.ts';
import { alertingMetrics } from './engine/alerting-metrics.ts';
import type { RuleSources } from './engine/rule-query.ts';
import { Scheduler } from './engine/scheduler.ts';
import type { DeliverySettings } from './notify/delivery.ts';
import { Dispatcher } from './notify/dispatcher.ts';
import { Inhibitor } from './notify/inhibitor.ts';
import { NotificationLog } from './notify/notification-log.ts';
import type { Integration } from './notify/receivers/integration.ts';
import { integrationsOf } from './notify/receivers/registry.ts';
import type { RetryPolicy } from './notify/retry.ts';
import { buildRoute } from './notify/route.ts';
import { SilenceService } from './notify/silences.ts';
import { NotificationTemplates } from './notify/templates.ts';
import { TimeIntervals } from './notify/time-intervals.ts';
import { PrometheusRulesService } from './prometheus/prometheus-rules.service.ts';
import { RuleCatalog } from './rules/rule-catalog.ts';

export interface AlertingModuleOptions {
  config: AlertingConfig;
  store: StateStore;
  sources: RuleSources;
  logger: Logger;
  metrics: Registry;
  externalUrl: string;
  /** Identifies this instance in the leader lease. */
  holder?: string;
  cwd?: string;
  /** Tests shorten backoff and scheduling ticks. */
  retry?: Partial<RetryPolicy>;
  tickMs?: number;
  /** The scheduler's clock (epoch ms); the rules benchmark maps wall time into the fixture window. */
  now?: () => number;
  /** federation.maxPointsPerSeries / maxSubqueryPointsPerSeries, which rule expressions are checked against at load. */
  queryLimits?: PointLimits;
}

const ms = (d: string) => modelDurationMs(d) as number;

/** Each receiver's retry policy and attempt timeout: alerting.notification, overridden per receiver. */
export function deliverySettings(
  c: AlertingConfig,
  extra: Partial<RetryPolicy> = {},
): (receiver: string) => DeliverySettings {
  return (receiver) => {
    const n = { ...c.notification, ...c.notification.receivers[receiver] };
    return {
      retry: { initialMs: ms(n.initialBackoff), maxMs: ms(n.maxBackoff), giveUpAfterMs: ms(n.giveUpAfter), ...extra },
      timeoutMs: ms(n.timeout),
    };
  };
}

/** Builds and owns every alerting component; the feature (routes, start/stop) talks to this. */
export class AlertingModule {
  readonly catalog: RuleCatalog;
  readonly repo: AlertRepository;
  readonly engine: AlertEngine;
  readonly dispatcher: Dispatcher;
  readonly silences: SilenceService;
  readonly nflog: NotificationLog;
  readonly scheduler: Scheduler;
  readonly receivers: Map<string, Integration[]>;
  readonly templates: NotificationTemplates;
  readonly prometheusRules: PrometheusRulesService;
  private lastRefresh = 0;
  private lastPrune = 0;

  constructor(readonly opts: AlertingModuleOptions) {
    const { config: c, store, logger } = opts;
    const log = logger.child({ component: 'alerting' });
    const metrics = alertingMetrics(opts.metrics);
    this.catalog = new RuleCatalog(store, {
      ruleFiles: c.ruleFiles,
      defaultIntervalMs: ms(c.evaluation.defaultInterval),
      ...(opts.queryLimits ? { limits: opts.queryLimits } : {}),
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
    });
    this.repo = new AlertRepository(store);
    this.silences = new SilenceService(store);
    this.nflog = new NotificationLog(store);
    this.templates = new NotificationTemplates(opts.externalUrl, c.templates);
    for (const problem of this.templates.problems) log.error({}, `alerting config: ${problem}`);
    const onProblem = (where: string, message: string) =>
      log.error({ where }, `alerting config: integration not usable: ${message}`);
    this.receivers = new Map(
      c.receivers.map((r) => [r.name, integrationsOf(r, { global: c.global, templates: this.templates }, onProblem)]),
    );
    const notes = configNotes(c);
    for (const note of notes.notActedOn) log.warn({ config: note }, 'alerting config: accepted but not acted on');
    const settings = deliverySettings(c, opts.retry);
    this.dispatcher = new Dispatcher({
      route: buildRoute(c.route),
      receivers: this.receivers,
      silences: this.silences,
      inhibitor: new Inhibitor(c.inhibit_rules),
      nflog: this.nflog,
      retry: settings('').retry,
      settings,
      intervals: new TimeIntervals([c.time_intervals, c.mute_time_intervals]),
      externalUrl: opts.externalUrl,
      logger: log,
      retentionMs: ms(c.evaluation.resolvedRetention),
      onNotification: (r) => {
        if (r.result === 'sent' || r.result === 'failed')
          metrics.notifications.inc({ receiver: r.receiver, integration: r.integration, result: r.result });
        metrics.deliveries.inc({ integration: r.integration, result: r.result });
      },
    });
    this.engine = new AlertEngine({
      sources: opts.sources,
      repo: this.repo,
      sink: this.dispatcher,
      logger: log,
      resolvedRetentionMs: ms(c.evaluation.resolvedRetention),
      queryTimeoutMs: ms(c.evaluation.queryTimeout),
      concurrency: c.evaluation.concurrency,
      externalUrl: opts.externalUrl,
    });
    this.scheduler = new Scheduler({
      store,
      holder: opts.holder ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
      leaseTtlMs: ms(c.evaluation.leaseTtl),
      tickMs: opts.tickMs ?? ms(c.notification.tick),
      groups: () => this.catalog.groups(),
      evaluate: (g, at, signal) => this.engine.evaluateGroup(g, at, signal),
      onLeader: async () => {
        await this.catalog.refresh();
        await this.engine.load();
        // State of rules that no longer exist (a rule file changed while no leader ran): resolve and drop it.
        const live = new Set(this.catalog.groups().flatMap((g) => g.rules.map((r) => r.key)));
        await this.engine.forget([...this.engine.ruleStates().keys()].filter((k) => !live.has(k)));
      },
      onTick: () => {
        this.dispatcher.tick();
        // Rule groups edited through another instance appear within a few seconds.
        if (Date.now() - this.lastRefresh > 5000) {
          this.lastRefresh = Date.now();
          this.catalog.refresh().catch((err: unknown) => log.warn({ err }, 'rule refresh failed'));
        }
        if (Date.now() - this.lastPrune > 3600_000) {
          this.lastPrune = Date.now();
          const before = Date.now() - ms(c.evaluation.historyRetention);
          Promise.all([this.repo.pruneHistory(before), this.nflog.prune(before)]).catch((err: unknown) =>
            log.warn({ err }, 'history pruning failed'),
          );
        }
      },
      metrics,
      logger: log,
      ...(opts.now ? { now: opts.now } : {}),
    });
    this.prometheusRules = new PrometheusRulesService({
      groups: () => this.catalog.groups(),
      states: () => this.repo.loadAll(),
    });
    const problems = this.catalog.loadFiles();
    for (const p of problems) log.error({ file: p.file, details: p.details }, `rule file not loaded: ${p.message}`);
  }

  async start(): Promise<void> {
    await this.catalog.refresh();
    const log = this.opts.logger.child({ component: 'alerting' });
    for (const p of this.catalog.storedProblems())
      log.error({ group: p.name }, `stored rule group not evaluated: ${p.message}`);
    await this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.dispatcher.stop();
  }
}
