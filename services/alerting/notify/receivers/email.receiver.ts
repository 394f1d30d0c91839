import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { AlertingConfig, EmailConfig } from '../../../../libs/config/sections/alerting.ts';
import { GoTemplate } from '../../template/template.ts';
import type { NotificationData } from '../notification-data.ts';
import { NotifyError, type Integration } from './integration.ts';

/** Defaults in the spirit of Alertmanager's email.default.* templates, written for the supported subset. */
export const DEFAULT_SUBJECT = '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }}';
export const DEFAULT_TEXT = `{{ range .Alerts }}[{{ .Status | toUpper }}] {{ .Labels.alertname }}
{{ range .Labels.SortedPairs }}  {{ .Name }} = {{ .Value }}
{{ end }}{{ range .Annotations.SortedPairs }}  {{ .Name }}: {{ .Value }}
{{ end }}  Started: {{ .StartsAt }}{{ if eq .Status "resolved" }}, ended: {{ .EndsAt }}{{ end }}
  Source: {{ .GeneratorURL }}

{{ end }}Sent by Pharos ({{ .ExternalURL }})
`;
export const DEFAULT_HTML = `<html><body><h2>{{ .Status | toUpper }}: {{ .GroupLabels.SortedPairs.Values | join " " }}</h2>
{{ range .Alerts }}<h3>[{{ .Status | toUpper }}] {{ .Labels.alertname }}</h3><table>
{{ range .Labels.SortedPairs }}<tr><td>{{ .Name }}</td><td>{{ .Value }}</td></tr>
{{ end }}</table>{{ range .Annotations.SortedPairs }}<p><b>{{ .Name }}</b>: {{ .Value }}</p>
{{ end }}<p>Started {{ .StartsAt }} &middot; <a href="{{ .GeneratorURL }}">source</a></p>
{{ end }}<p>Sent by <a href="{{ .ExternalURL }}">Pharos</a></p></body></html>
`;

/**
 * Email through nodemailer: `smarthost` host:port (465 = implicit TLS, otherwise STARTTLS when offered, required
 * with require_tls), optional auth, HTML and text bodies and the subject from templates (headers.Subject, as in
 * Alertmanager). Global smtp_* settings fill what the entry leaves out.
 */
export function emailIntegration(cfg: EmailConfig, index: number, global: AlertingConfig['global']): Integration {
  const smarthost = cfg.smarthost ?? global.smtp_smarthost;
  const from = cfg.from ?? global.smtp_from;
  if (!smarthost || !from) throw new NotifyError('email needs smarthost and from (or global smtp_smarthost / smtp_from)', false);
  const [host, portText] = splitHostPort(smarthost);
  const port = Number(portText ?? 25);
  const user = cfg.auth_username ?? global.smtp_auth_username;
  const passFile = cfg.auth_password_file ?? global.smtp_auth_password_file;
  const pass = cfg.auth_password ?? global.smtp_auth_password ?? (passFile ? readFileSync(passFile, 'utf8').trim() : undefined);
  const requireTls = cfg.require_tls ?? global.smtp_require_tls;
  const transport = nodemailer.createTransport({
    host,
    port,
    secure: port === 465,
    requireTLS: port !== 465 && requireTls,
    ignoreTLS: port !== 465 && !requireTls && !cfg.tls_config,
    name: cfg.hello ?? global.smtp_hello ?? 'localhost',
    ...(user ? { auth: { user, pass: pass ?? '' } } : {}),
    tls: {
      rejectUnauthorized: !(cfg.tls_config?.insecure_skip_verify ?? false),
      ...(cfg.tls_config?.server_name ? { servername: cfg.tls_config.server_name } : {}),
      ...(cfg.tls_config?.ca_file ? { ca: readFileSync(cfg.tls_config.ca_file) } : {}),
    },
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const subject = new GoTemplate(cfg.headers?.Subject ?? DEFAULT_SUBJECT);
  const html = new GoTemplate(cfg.html ?? DEFAULT_HTML);
  const text = new GoTemplate(cfg.text ?? DEFAULT_TEXT);
  const to = new GoTemplate(cfg.to);
  const extraHeaders = Object.fromEntries(Object.entries(cfg.headers ?? {}).filter(([k]) => !['subject', 'to', 'from'].includes(k.toLowerCase())));

  const render = (data: NotificationData) => ({
    from,
    to: to.render(data),
    subject: subject.render(data).replace(/\s+/g, ' ').trim(),
    text: text.render(data),
    html: html.render(data),
    headers: extraHeaders,
  });

  return {
    type: 'email',
    index,
    target: cfg.to,
    sendResolved: cfg.send_resolved,
    render,
    async notify(data, signal) {
      signal.throwIfAborted();
      let message;
      try {
        message = render(data);
      } catch (err) {
        throw new NotifyError(`email template: ${(err as Error).message}`, false);
      }
      try {
        await transport.sendMail(message);
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx SMTP replies are permanent refusals; anything else (connection refused, 4xx) may pass later.
        throw new NotifyError(`SMTP ${smarthost}: ${(err as Error).message}`, !(code !== undefined && code >= 500));
      }
    },
  };
}

function splitHostPort(s: string): [string, string | undefined] {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(s);
  return m ? [m[1] as string, m[2]] : [s, undefined];
}
