/**
 * The named templates notifications use when a receiver sets no title or text, under Alertmanager's names so that a
 * pasted config's `{{ template "slack.default.title" . }}` or `{{ template "__subject" . }}` works. Each renders the
 * same text as the definition of that name in Alertmanager's template/default.tmpl (0.25, plus the msteams ones of
 * 0.26/0.28), whitespace included: `template.test.ts` checks the output for firing, resolved and mixed groups.
 * Built from a few parts below rather than written out, so the differences between integrations are visible.
 */
const def = (name: string, body: string) => `{{ define "${name}" }}${body}{{ end }}`;

type Kind = 'Firing' | 'Resolved';

/** One alert per block: its labels, its annotations, its source (plain text). */
const textList =
  '{{ range . }}Labels:\n{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}Annotations:\n{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}Source: {{ .GeneratorURL }}\n{{ end }}';

/** The same as Markdown lists, with blank lines between the parts (Teams). */
const markdownList =
  '{{ range . }}\nLabels:\n{{ range .Labels.SortedPairs }}  - {{ .Name }} = {{ .Value }}\n{{ end }}\nAnnotations:\n{{ range .Annotations.SortedPairs }}  - {{ .Name }} = {{ .Value }}\n{{ end }}\nSource: {{ .GeneratorURL }}\n{{ end }}\n';

/** "Alerts Firing:" and its list, present only when there are such alerts; three spacings are in use. */
function section(kind: Kind, style: 'tight' | 'loose' | 'markdown'): string {
  const when = `{{ if gt (len .Alerts.${kind}) 0`;
  if (style === 'tight')
    return `${when} -}}\nAlerts ${kind}:\n{{ template "__text_alert_list" .Alerts.${kind} }}\n{{- end }}`;
  if (style === 'loose')
    return `${when} }}\nAlerts ${kind}:\n{{ template "__text_alert_list" .Alerts.${kind} }}\n{{ end }}`;
  return `${when} }}\n# Alerts ${kind}:\n{{ template "__text_alert_list_markdown" .Alerts.${kind} }}\n{{ end }}`;
}

const both = (style: 'tight' | 'loose' | 'markdown') => `${section('Firing', style)}\n${section('Resolved', style)}`;
const annotationValues = '{{ .CommonAnnotations.SortedPairs.Values | join " " }}';
const subject = '{{ template "__subject" . }}';
const url = '{{ template "__alertmanagerURL" . }}';

/** `[FIRING:2] <group label values> (<other common label values>)`, with the trailing space Alertmanager leaves. */
const subjectBody =
  '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} ' +
  '{{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}';

export const DEFAULT_TEMPLATES = [
  def('__alertmanager', 'Alertmanager'),
  def('__alertmanagerURL', '{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}'),
  def('__subject', subjectBody),
  def('__description', ''),
  def('__text_alert_list', textList),
  def('__text_alert_list_markdown', markdownList),
  def('slack.default.title', subject),
  def('slack.default.username', '{{ template "__alertmanager" . }}'),
  def('slack.default.fallback', '{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}'),
  def('slack.default.titlelink', url),
  def('slack.default.color', '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'),
  ...['callbackid', 'pretext', 'iconemoji', 'iconurl', 'text', 'footer'].map((n) => def(`slack.default.${n}`, '')),
  def('pagerduty.default.description', subject),
  def('pagerduty.default.client', '{{ template "__alertmanager" . }}'),
  def('pagerduty.default.clientURL', url),
  def('pagerduty.default.instances', '{{ template "__text_alert_list" . }}'),
  def('opsgenie.default.message', subject),
  def('opsgenie.default.description', `${annotationValues}\n${both('tight')}`),
  def('opsgenie.default.source', url),
  def('wechat.default.message', `${subject}\n${annotationValues}\n${both('tight')}\nAlertmanagerUrl:\n${url}`),
  ...['to_user', 'to_party', 'to_tag', 'agent_id'].map((n) => def(`wechat.default.${n}`, '')),
  def('telegram.default.message', `\n${both('loose')}\n`),
  def('discord.default.title', subject),
  def('discord.default.message', `\n${both('loose')}\n`),
  def('discord.default.content', ''),
  def('msteams.default.summary', subject),
  def('msteams.default.title', subject),
  def('msteams.default.text', `\n${both('markdown')}\n`),
  def('msteamsv2.default.title', subject),
  def('msteamsv2.default.text', `\n${both('markdown')}\n`),
  def('email.default.subject', subject),
  // Pharos's own kinds: the WeChat-style text, and Markdown as DingTalk renders it.
  def('dingtalk.default.title', subject),
  def('dingtalk.default.message', `${subject}\n${annotationValues}\n${both('tight')}\nAlertmanagerUrl:\n${url}`),
  def('dingtalk.default.markdown', `#### ${subject}\n${annotationValues}\n${both('markdown')}\n[Alertmanager](${url})`),
  def('feishu.default.title', subject),
  def('feishu.default.message', `${annotationValues}\n${both('tight')}\nAlertmanagerUrl:\n${url}`),
].join('\n');

/** The `{{ template "…" . }}` each integration field defaults to, as in Alertmanager's Default*Config. */
export const useTemplate = (name: string) => `{{ template "${name}" . }}`;
