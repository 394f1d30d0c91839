import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { EmailConfig } from '../../../../libs/config/sections/alerting.ts';
import type { GlobalConfig } from '../../../../libs/config/sections/alertmanager/am-global.ts';
import { useTemplate } from '../../template/default-templates.ts';
import type { NotificationData } from '../notification-data.ts';
import { NotificationTemplates } from '../templates.ts';
import { NotifyError, type Integration, type IntegrationContext } from './integration.ts';

/**
 * The subject is Alertmanager's (email.default.subject, i.e. __subject). The bodies are Pharos's own: Alertmanager's
 * email.default.html is a 400-line styled page and it sends no text part by default; Pharos sends both parts.
 */
export const DEFAULT_SUBJECT = useTemplate('email.default.subject');
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
export function emailIntegration(
  cfg: EmailConfig,
  index: number,
  ctx: IntegrationContext | { global: GlobalConfig; templates?: NotificationTemplates },
): Integration {
  const global = ctx.global;
  const templates = ctx.templates ?? new NotificationTemplates('');
  const smarthost = cfg.smarthost ?? global.smtp_smarthost;
  const from = cfg.from ?? global.smtp_from;
  if (!smarthost || !from)
    throw new NotifyError('email needs smarthost and from (or global smtp_smarthost / smtp_from)', false);
  const [host, portText] = splitHostPort(smarthost);
  const port = Number(portText ?? 25);
  const user = cfg.auth_username ?? global.smtp_auth_username;
  const passFile = cfg.auth_password_file ?? global.smtp_auth_password_file;
  // The password file and CA are read at each send (Alertmanager reads them when it notifies), not at load.
  const pass = () =>
    cfg.auth_password ?? global.smtp_auth_password ?? (passFile ? readFileSync(passFile, 'utf8').trim() : undefined);
  const requireTls = cfg.require_tls ?? global.smtp_require_tls;
  // Port 465 is implicit TLS (SMTPS), as in Alertmanager; force_implicit_tls (0.29+) says so for other ports.
  const implicit = cfg.force_implicit_tls ?? global.smtp_force_implicit_tls ?? port === 465;
  const tlsConfig = cfg.tls_config ?? global.smtp_tls_config;
  const transport = () =>
    nodemailer.createTransport({
      host,
      port,
      secure: implicit,
      requireTLS: !implicit && requireTls,
      ignoreTLS: !implicit && !requireTls && !tlsConfig,
      name: cfg.hello ?? global.smtp_hello ?? 'localhost',
      ...(user ? { auth: { user, pass: pass() ?? '' } } : {}),
      tls: {
        rejectUnauthorized: !(tlsConfig?.insecure_skip_verify ?? false),
        ...(tlsConfig?.server_name ? { servername: tlsConfig.server_name } : {}),
        ...(tlsConfig?.ca_file ? { ca: readFileSync(tlsConfig.ca_file) } : tlsConfig?.ca ? { ca: tlsConfig.ca } : {}),
      },
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
  const header = (name: string) => Object.entries(cfg.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];
  const subject = header('subject') ?? DEFAULT_SUBJECT;
  const html = cfg.html ?? DEFAULT_HTML;
  const text = cfg.text ?? DEFAULT_TEXT;
  for (const t of [subject, html, text, cfg.to]) templates.check(t);
  const extraHeaders = Object.fromEntries(
    Object.entries(cfg.headers ?? {}).filter(([k]) => !['subject', 'to', 'from'].includes(k.toLowerCase())),
  );

  const render = (data: NotificationData) => ({
    from,
    to: templates.text(cfg.to, data),
    subject: templates.text(subject, data).replace(/\s+/g, ' ').trim(),
    text: templates.text(text, data),
    html: templates.html(html, data),
    headers: Object.fromEntries(Object.entries(extraHeaders).map(([k, v]) => [k, templates.text(v, data)])),
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
        await transport().sendMail(message);
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
