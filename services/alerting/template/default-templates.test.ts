import { describe, expect, it } from 'vitest';
import { notificationData } from '../notify/notification-data.ts';
import { NotificationTemplates } from '../notify/templates.ts';
import { GoTime } from './go-time.ts';

const now = Date.parse('2026-01-01T00:10:00Z');
const alert = (instance: string, resolved = false) => ({
  fingerprint: instance,
  labels: { alertname: 'NodeDown', cluster: 'east', instance, job: 'node' },
  annotations: { summary: 'node down' },
  startsAt: now - 60_000,
  ...(resolved ? { endsAt: now - 1000 } : {}),
  generatorURL: `http://prom/${instance}`,
  updatedAt: now,
});
const data = (alerts: ReturnType<typeof alert>[], receiver = 'team.ops') =>
  notificationData({
    receiver,
    groupKey: 'k',
    groupLabels: { alertname: 'NodeDown' },
    alerts,
    now,
    externalUrl: 'http://am.example',
  });
const t = new NotificationTemplates('http://am.example');
const render = (name: string, d = data([alert('b:9100'), alert('a:9100', true)])) =>
  t.text(`{{ template "${name}" . }}`, d);

// Expected texts are Alertmanager 0.25's for the same data (the parity tests check them against the real one).
describe("default templates (Alertmanager's default.tmpl)", () => {
  it('__subject: status, firing count, group label values, then the other common label values', () => {
    expect(render('__subject')).toBe('[FIRING:1] NodeDown (east node)');
    expect(render('__subject', data([alert('a:9100')]))).toBe('[FIRING:1] NodeDown (east a:9100 node)');
    expect(render('__subject', data([alert('a:9100', true)]))).toBe('[RESOLVED] NodeDown (east a:9100 node)');
    // Nothing beyond the group labels in common: a trailing space and no parentheses.
    expect(
      t.text(
        '{{ template "__subject" . }}',
        notificationData({
          receiver: 'r',
          groupKey: 'k',
          groupLabels: { alertname: 'X' },
          alerts: [{ ...alert('a'), labels: { alertname: 'X' } }],
          now,
          externalUrl: '',
        }),
      ),
    ).toBe('[FIRING:1] X ');
  });

  it('links to the receiver with its name as Alertmanager writes it (QuoteMeta, then QueryEscape)', () => {
    expect(render('__alertmanagerURL')).toBe('http://am.example/#/alerts?receiver=team%5C.ops');
    expect(render('slack.default.fallback')).toBe(
      '[FIRING:1] NodeDown (east node) | http://am.example/#/alerts?receiver=team%5C.ops',
    );
  });

  it('lists alerts sorted by job, instance, labels; alertname first in each label list', () => {
    expect(t.text('{{ template "__text_alert_list" .Alerts }}', data([alert('b:9100'), alert('a:9100')]))).toBe(
      'Labels:\n - alertname = NodeDown\n - cluster = east\n - instance = a:9100\n - job = node\nAnnotations:\n - summary = node down\nSource: http://prom/a:9100\n' +
        'Labels:\n - alertname = NodeDown\n - cluster = east\n - instance = b:9100\n - job = node\nAnnotations:\n - summary = node down\nSource: http://prom/b:9100\n',
    );
  });

  it('spaces the firing and resolved sections as each integration does', () => {
    const list = (i: string) =>
      `Labels:\n - alertname = NodeDown\n - cluster = east\n - instance = ${i}\n - job = node\nAnnotations:\n - summary = node down\nSource: http://prom/${i}\n`;
    expect(render('opsgenie.default.description')).toBe(
      `node down\nAlerts Firing:\n${list('b:9100')}\nAlerts Resolved:\n${list('a:9100')}`,
    );
    expect(render('telegram.default.message')).toBe(
      `\n\nAlerts Firing:\n${list('b:9100')}\n\n\nAlerts Resolved:\n${list('a:9100')}\n\n`,
    );
    expect(render('wechat.default.message')).toBe(
      `[FIRING:1] NodeDown (east node)\nnode down\nAlerts Firing:\n${list('b:9100')}\nAlerts Resolved:\n${list('a:9100')}\nAlertmanagerUrl:\nhttp://am.example/#/alerts?receiver=team%5C.ops`,
    );
    expect(render('msteams.default.text', data([alert('b:9100')]))).toBe(
      '\n\n# Alerts Firing:\n\nLabels:\n  - alertname = NodeDown\n  - cluster = east\n  - instance = b:9100\n  - job = node\n\nAnnotations:\n  - summary = node down\n\nSource: http://prom/b:9100\n\n\n\n\n',
    );
  });

  it('lets a config file override a default definition and add its own', () => {
    expect(
      t.text(
        '{{ define "slack.default.title" }}mine{{ end }}{{ template "slack.default.title" . }}',
        data([alert('a')]),
      ),
    ).toBe('mine');
  });
});

describe('template engine additions for Alertmanager templates', () => {
  const d = data([alert('a:9100')]);
  it('calls methods with arguments and prints Go times', () => {
    expect(t.text('{{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Names | join "," }}{{ end }}', d)).toBe(
      'cluster,instance,job',
    );
    expect(t.text('{{ (index .Alerts 0).StartsAt }}', d)).toBe('2026-01-01 00:09:00 +0000 UTC');
    expect(t.text('{{ (index .Alerts 0).StartsAt.Format "Mon Jan _2 15:04 MST" }}', d)).toBe('Thu Jan  1 00:09 UTC');
    expect(t.text('{{ (index .Alerts 0).EndsAt.IsZero }}', d)).toBe('true');
    expect(t.text('{{ date "2006-01-02 15:04 MST" (tz "Europe/Berlin" (index .Alerts 0).StartsAt) }}', d)).toBe(
      '2026-01-01 01:09 CET',
    );
  });

  it('has toJson, title, base64encode, dict, urlquery as Alertmanager defines them', () => {
    expect(t.text('{{ .CommonLabels | toJson }}', d)).toBe(
      '{"alertname":"NodeDown","cluster":"east","instance":"a:9100","job":"node"}',
    );
    expect(t.text('{{ "hELLO wORLD" | title }}', d)).toBe('Hello World');
    expect(t.text('{{ "a b/c" | base64encode }}', d)).toBe(Buffer.from('a b/c').toString('base64url') + '=');
    expect(t.text('{{ (dict "a" 1).a }}', d)).toBe('1');
    expect(t.text('{{ "a b!*\'()" | urlquery }}', d)).toBe('a+b%21%2A%27%28%29');
  });

  it('escapes as html/template does in html mode, except safeHtml', () => {
    const x = notificationData({
      receiver: 'r',
      groupKey: 'k',
      groupLabels: {},
      alerts: [{ ...alert('a'), annotations: { s: `<b>"x" & 'y' + z</b>` } }],
      now,
      externalUrl: '',
    });
    expect(t.html('<p>{{ .CommonAnnotations.s }}</p>', x)).toBe(
      '<p>&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39; &#43; z&lt;/b&gt;</p>',
    );
    expect(t.html('{{ .CommonAnnotations.s | safeHtml }}', x)).toBe(`<b>"x" & 'y' + z</b>`);
    expect(t.html('<a href="{{ "javascript:alert(1)" }}">x</a>', x)).toBe('<a href="#ZgotmplZ">x</a>');
    expect(t.html('<a href="{{ "http://h/a b?x=1&y" }}">x</a>', x)).toBe('<a href="http://h/a%20b?x=1&amp;y">x</a>');
  });

  it('formats Go times as JSON the way encoding/json does', () => {
    expect(new GoTime(Date.parse('2026-11-26T20:15:12.314Z')).toJSON()).toBe('2026-11-26T20:15:12.314Z');
    expect(new GoTime(Date.parse('2026-11-26T20:15:12Z')).toJSON()).toBe('2026-11-26T20:15:12Z');
  });
});
