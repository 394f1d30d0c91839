import type { PrometheusRulesService } from '../prometheus/prometheus-rules.service.ts';
import type { AlertmanagerAlertsService } from './alertmanager-alerts.service.ts';
import type { AlertsService } from './alerts.service.ts';
import type { ReceiversService } from './receivers.service.ts';
import type { RulesService } from './rules.service.ts';
import type { SilencesService } from './silences.service.ts';

/**
 * What the alerting APIs (/v1, Alertmanager v2, Prometheus rules) are adapters over: each method takes the caller's
 * Scope, never a request, and returns plain data.
 */
export interface AlertingServices {
  alerts: AlertsService;
  alertmanagerAlerts: AlertmanagerAlertsService;
  rules: RulesService;
  silences: SilencesService;
  receivers: ReceiversService;
  prometheusRules: PrometheusRulesService;
}
