import type { AlertRule } from '../rules/compile.ts';
import { expandRuleTemplate } from '../template/rule-template.ts';
import { fingerprint } from './fingerprint.ts';

export type AlertState = 'pending' | 'firing' | 'inactive';

/** One alert of one rule: what Prometheus keeps in AlertingRule.active. Times are epoch ms. */
export interface ActiveAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  keepFiringSince?: number;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface Transition {
  time: number;
  fingerprint: string;
  alertname: string;
  labels: Record<string, string>;
  from: AlertState;
  to: AlertState;
  value: number;
}

export interface ApplyOptions {
  /** Evaluation time, epoch ms. */
  now: number;
  resolvedRetentionMs: number;
  externalUrl?: string;
  /** Clusters whose evaluation failed this time: their alerts are held as they are, not resolved. */
  failedClusters?: ReadonlySet<string>;
}

/**
 * The alert lifecycle of Prometheus's AlertingRule.Eval (rules/alerting.go): inactive → pending (for) →
 * firing → resolved (inactive), with keep_firing_for; resolved alerts are kept for resolvedRetention so
 * their resolution is re-sent, then dropped. Pure: state in, state and transitions out.
 */
export function applyResult(
  rule: AlertRule,
  evaluation: { previous: readonly ActiveAlert[]; samples: readonly Sample[] },
  opts: ApplyOptions,
): { alerts: ActiveAlert[]; transitions: Transition[] } {
  const { previous, samples } = evaluation;
  const { now } = opts;
  const active = new Map(previous.map((a) => [a.fingerprint, { ...a }]));
  const transitions: Transition[] = [];
  const note = (a: ActiveAlert, from: AlertState, to: AlertState) =>
    transitions.push({
      time: now,
      fingerprint: a.fingerprint,
      alertname: rule.name,
      labels: a.labels,
      from,
      to,
      value: a.value,
    });
  const seen = new Set<string>();

  for (const sample of samples) {
    const { labels, annotations } = alertLabels(rule, sample, opts.externalUrl);
    const fp = fingerprint(labels);
    if (seen.has(fp)) continue; // Prometheus errors on duplicate label sets after templating; keep the first
    seen.add(fp);
    const existing = active.get(fp);
    if (existing && existing.state !== 'inactive') {
      existing.value = sample.value;
      existing.annotations = annotations;
      continue;
    }
    const fresh: ActiveAlert = {
      fingerprint: fp,
      labels,
      annotations,
      state: 'pending',
      value: sample.value,
      activeAt: now,
    };
    active.set(fp, fresh);
    note(fresh, existing?.state ?? 'inactive', 'pending');
  }

  for (const [fp, a] of active) {
    if (!seen.has(fp)) {
      if (a.labels.cluster && opts.failedClusters?.has(a.labels.cluster)) continue;
      if (rule.keepFiringForMs > 0 && a.state === 'firing') {
        a.keepFiringSince ??= now;
        if (now - a.keepFiringSince < rule.keepFiringForMs) continue;
      }
      if (
        a.state === 'pending' ||
        (a.state === 'inactive' && a.resolvedAt !== undefined && now - a.resolvedAt > opts.resolvedRetentionMs)
      ) {
        if (a.state === 'pending') note(a, 'pending', 'inactive');
        active.delete(fp);
      } else if (a.state !== 'inactive') {
        note(a, a.state, 'inactive');
        a.state = 'inactive';
        a.resolvedAt = now;
      }
      continue;
    }
    delete a.keepFiringSince;
    if (a.state === 'pending' && now - a.activeAt >= rule.forMs) {
      a.state = 'firing';
      a.firedAt = now;
      note(a, 'pending', 'firing');
    }
  }
  return { alerts: [...active.values()], transitions };
}

/** Series labels (minus __name__), then the rule's templated labels, then alertname: Prometheus's order. */
export function alertLabels(
  rule: AlertRule,
  sample: Sample,
  externalUrl?: string,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const seriesLabels = { ...sample.labels };
  delete seriesLabels.__name__;
  const data = { labels: seriesLabels, value: sample.value, ...(externalUrl ? { externalUrl } : {}) };
  const labels: Record<string, string> = { ...seriesLabels };
  const errors: string[] = [];
  for (const [k, v] of Object.entries(rule.labels)) {
    const r = expandRuleTemplate(v, data);
    if (r.error) errors.push(`label ${k}: ${r.error}`);
    if (r.text === '') delete labels[k];
    else labels[k] = r.text;
  }
  labels.alertname = rule.name;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.annotations)) {
    const r = expandRuleTemplate(v, data);
    if (r.error) errors.push(`annotation ${k}: ${r.error}`);
    annotations[k] = r.text;
  }
  if (errors.length) annotations.pharos_template_error = errors.join('; ');
  return { labels, annotations };
}
