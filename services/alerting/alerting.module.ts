import type { Registry } from 'prom-client';
import type { AlertingConfig } from '../../libs/config/sections/alerting.ts';
import type { Logger } from '../../libs/logging/logger.ts';
import type { PointLimits } from '../../libs/promql/query-cost.ts';
import type { StateStore } from '../../libs/store/state-store.ts';
import {
  buildDispatcher,
  buildEngine,
  buildReceivers,
  buildScheduler,
  buildServices,
  buildStores,
  type WiringContext,
} from './alerting.wiring.ts';
import type { AlertEngine } from './engine/alert-engine.ts';
import type { AlertRepository } from './engine/alert-repository.ts';
import { alertingMetrics } from './engine/alerting-metrics.ts';
import type { RuleSources } from './engine/rule-query.ts';
import type { Scheduler } from './engine/scheduler.ts';
import type { Dispatcher } from './notify/dispatcher.ts';
import type { NotificationLog } from './notify/notification-log.ts';
import type { Integration } from './notify/receivers/integration.ts';
import type { RetryPolicy } from './notify/retry.ts';
import type { SilenceRepository } from './notify/silences.ts';
import type { NotificationTemplates } from './notify/templates.ts';
import type { RuleCatalog } from './rules/rule-catalog.ts';
import type { AlertingServices } from './service/alerting-services.ts';

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

/**
 * Wiring only: builds every alerting component (alerting.wiring.ts) and the services the APIs are adapters over;
 * the feature (routes, start/stop) talks to this.
 */
export class AlertingModule {
  readonly catalog: RuleCatalog;
  readonly repo: AlertRepository;
  readonly engine: AlertEngine;
  readonly dispatcher: Dispatcher;
  readonly silences: SilenceRepository;
  readonly nflog: NotificationLog;
  readonly scheduler: Scheduler;
  readonly receivers: Map<string, Integration[]>;
  readonly templates: NotificationTemplates;
  readonly services: AlertingServices;
  private readonly log: Logger;

  constructor(readonly opts: AlertingModuleOptions) {
    this.log = opts.logger.child({ component: 'alerting' });
    const ctx: WiringContext = { opts, log: this.log, metrics: alertingMetrics(opts.metrics) };
    const stores = buildStores(ctx);
    ({ catalog: this.catalog, repo: this.repo, silences: this.silences, nflog: this.nflog } = stores);
    ({ templates: this.templates, receivers: this.receivers } = buildReceivers(ctx));
    this.dispatcher = buildDispatcher(ctx, { ...stores, receivers: this.receivers });
    this.engine = buildEngine(ctx, { repo: this.repo, dispatcher: this.dispatcher });
    this.scheduler = buildScheduler(ctx, { ...stores, engine: this.engine, dispatcher: this.dispatcher });
    const { engine, dispatcher, receivers } = this;
    this.services = buildServices(opts, { ...stores, engine, dispatcher, receivers });
    for (const p of this.catalog.loadFiles())
      this.log.error({ file: p.file, details: p.details }, `rule file not loaded: ${p.message}`);
  }

  async start(): Promise<void> {
    await this.catalog.refresh();
    for (const p of this.catalog.storedProblems())
      this.log.error({ group: p.name }, `stored rule group not evaluated: ${p.message}`);
    await this.scheduler.start();
  }

  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.dispatcher.stop();
  }
}
