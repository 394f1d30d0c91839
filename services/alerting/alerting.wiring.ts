import { hostname } from 'node:os';
import { configNotes } from '../../libs/config/sections/alertmanager/am-notes.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import { tryParseDuration as parseDuration } from '../../libs/time/duration.ts';
import type { AlertingModuleOptions } from './alerting.module.ts';
import { AlertEngine } from './engine/alert-engine.ts';
import { AlertRepository } from './engine/alert-repository.ts';
import type { AlertingMetrics } from './engine/alerting-metrics.ts';
import { Scheduler } from './engine/scheduler.ts';
import { configMs as ms, deliverySettings } from './notify/delivery-settings.ts';
import { Dispatcher } from './notify/dispatcher.ts';
import { Inhibitor } from './notify/inhibitor.ts';
import { NotificationLog } from './notify/notification-log.ts';
import type { Integration } from './notify/receivers/integration.ts';
import { integrationsOf } from './notify/receivers/registry.ts';
import { buildRoute } from './notify/route.ts';
import { SilenceRepository } from './notify/silences.ts';
import { NotificationTemplates } from './notify/templates.ts';
import { TimeIntervals } from './notify/time-intervals.ts';
import { PrometheusRulesService } from './prometheus/prometheus-rules.service.ts';
import { RuleCatalog } from './rules/rule-catalog.ts';
import type { AlertingServices } from './service/alerting-services.ts';
import { AlertmanagerAlertsService } from './service/alertmanager-alerts.service.ts';
import { AlertsService } from './service/alerts.service.ts';
import { ReceiversService } from './service/receivers.service.ts';
import { RulesService } from './service/rules.service.ts';
import { SilencesService } from './service/silences.service.ts';

/** What the builders below share: the module's options, its logger and its metrics. */
export interface WiringContext {
  opts: AlertingModuleOptions;
  log: Logger;
  metrics: AlertingMetrics;
}

/** The stores over the state store: rule groups, alert state and history, silences, the notification log. */
export function buildStores({ opts }: WiringContext) {
  const { config: c, store } = opts;
  const catalog = new RuleCatalog(store, {
    ruleFiles: c.ruleFiles,
    defaultIntervalMs: ms(c.evaluation.defaultInterval),
    ...(opts.queryLimits ? { limits: opts.queryLimits } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  return {
    catalog,
    repo: new AlertRepository(store),
    silences: new SilenceRepository(store),
    nflog: new NotificationLog(store),
  };
}

export type AlertingStores = ReturnType<typeof buildStores>;

/** Templates and each receiver's integrations; configuration problems are logged, not fatal. */
export function buildReceivers({ opts, log }: WiringContext) {
  const c = opts.config;
  const templates = new NotificationTemplates(opts.externalUrl, c.templates);
  for (const problem of templates.problems) log.error({}, `alerting config: ${problem}`);
  const onProblem = (where: string, message: string) =>
    log.error({ where }, `alerting config: integration not usable: ${message}`);
  const receivers = new Map<string, Integration[]>(
    c.receivers.map((r) => [r.name, integrationsOf(r, { global: c.global, templates }, onProblem)]),
  );
  for (const note of configNotes(c).notActedOn)
    log.warn({ config: note }, 'alerting config: accepted but not acted on');
  return { templates, receivers };
}

/** The Alertmanager-compatible pipeline: routing, grouping, silences, inhibition, time intervals, delivery. */
export function buildDispatcher(
  { opts, log, metrics }: WiringContext,
  parts: AlertingStores & { receivers: Map<string, Integration[]> },
): Dispatcher {
  const c = opts.config;
  const settings = deliverySettings(c, opts.retry);
  return new Dispatcher({
    route: buildRoute(c.route),
    receivers: parts.receivers,
    silences: parts.silences,
    inhibitor: new Inhibitor(c.inhibit_rules),
    nflog: parts.nflog,
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
}

export function buildEngine(
  { opts, log }: WiringContext,
  parts: { repo: AlertRepository; dispatcher: Dispatcher },
): AlertEngine {
  const c = opts.config;
  return new AlertEngine({
    sources: opts.sources,
    repo: parts.repo,
    sink: parts.dispatcher,
    logger: log,
    resolvedRetentionMs: ms(c.evaluation.resolvedRetention),
    queryTimeoutMs: ms(c.evaluation.queryTimeout),
    concurrency: c.evaluation.concurrency,
    externalUrl: opts.externalUrl,
  });
}

type SchedulerParts = AlertingStores & { engine: AlertEngine; dispatcher: Dispatcher };

/** The leader-elected scheduler, with what a new leader and each tick do. */
export function buildScheduler(ctx: WiringContext, parts: SchedulerParts): Scheduler {
  const { opts, log, metrics } = ctx;
  const c = opts.config;
  const { catalog, engine } = parts;
  return new Scheduler({
    store: opts.store,
    holder: opts.holder ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
    leaseTtlMs: ms(c.evaluation.leaseTtl),
    tickMs: opts.tickMs ?? ms(c.notification.tick),
    groups: () => catalog.groups(),
    evaluate: (g, at, signal) => engine.evaluateGroup(g, at, signal),
    onLeader: async () => {
      await catalog.refresh();
      await engine.load();
      // State of rules that no longer exist (a rule file changed while no leader ran): resolve and drop it.
      const live = new Set(catalog.groups().flatMap((g) => g.rules.map((r) => r.key)));
      await engine.forget([...engine.ruleStates().keys()].filter((k) => !live.has(k)));
    },
    onTick: leaderTick(ctx, parts),
    metrics,
    logger: log,
    ...(opts.now ? { now: opts.now } : {}),
  });
}

/** Each tick: flush notifications; every few seconds pick up rule edits; hourly prune history. */
function leaderTick({ opts, log }: WiringContext, parts: SchedulerParts): () => void {
  let lastRefresh = 0;
  let lastPrune = 0;
  return () => {
    parts.dispatcher.tick();
    // Rule groups edited through another instance appear within a few seconds.
    if (Date.now() - lastRefresh > 5000) {
      lastRefresh = Date.now();
      parts.catalog.refresh().catch((err: unknown) => log.warn({ err }, 'rule refresh failed'));
    }
    if (Date.now() - lastPrune > 3600_000) {
      lastPrune = Date.now();
      const before = Date.now() - ms(opts.config.evaluation.historyRetention);
      Promise.all([parts.repo.pruneHistory(before), parts.nflog.prune(before)]).catch((err: unknown) =>
        log.warn({ err }, 'history pruning failed'),
      );
    }
  };
}

/** The services the APIs are adapters over. */
export function buildServices(
  opts: AlertingModuleOptions,
  parts: AlertingStores & { engine: AlertEngine; dispatcher: Dispatcher; receivers: Map<string, Integration[]> },
): AlertingServices {
  const c = opts.config;
  const { catalog, repo } = parts;
  // The test-send's attempt timeout is the configured one, without the tests' shortened retries.
  const timeouts = deliverySettings(c);
  return {
    alerts: new AlertsService({ repo }),
    alertmanagerAlerts: new AlertmanagerAlertsService({
      dispatcher: parts.dispatcher,
      resolveTimeoutMs: parseDuration(c.global.resolve_timeout) as number,
    }),
    rules: new RulesService({
      catalog,
      engine: parts.engine,
      sources: opts.sources,
      resolvedRetentionMs: parseDuration(c.evaluation.resolvedRetention) as number,
      externalUrl: opts.externalUrl,
    }),
    silences: new SilencesService({ repository: parts.silences }),
    receivers: new ReceiversService({
      receivers: parts.receivers,
      nflog: parts.nflog,
      timeoutMs: (receiver) => timeouts(receiver).timeoutMs,
      externalUrl: opts.externalUrl,
    }),
    prometheusRules: new PrometheusRulesService({ groups: () => catalog.groups(), states: () => repo.loadAll() }),
  };
}
