import { describe, expect, it } from 'vitest';
import { notificationData } from '../notification-data.ts';
import { webhookIntegration } from './webhook.receiver.ts';

const data = notificationData({
  receiver: 'r',
  groupKey: 'k',
  groupLabels: { alertname: 'A' },
  now: 2000,
  externalUrl: 'http://p',
  alerts: [
    {
      fingerprint: 'f',
      labels: { alertname: 'A', cluster: 'east' },
      annotations: { summary: 'hi "there"' },
      startsAt: 1000,
      generatorURL: 'g',
      updatedAt: 1000,
    },
  ],
});

describe('webhook payload_template', () => {
  it('renders a typed custom JSON body', () => {
    const tpl =
      '{"text": "{{ .Status | toUpper }}: {{ range .Alerts }}{{ .Labels.cluster }} {{ js .Annotations.summary }}{{ end }}", "count": {{ len .Alerts }}}';
    const integ = webhookIntegration(
      { url: 'http://127.0.0.1:9/x', send_resolved: true, max_alerts: 0, hmac_header: 'X-Sig', payload_template: tpl },
      0,
    );
    expect(integ.render(data)).toEqual({ text: 'FIRING: east hi "there"', count: 1 });
  });

  it('reports a template that does not produce JSON as a permanent error', () => {
    const integ = webhookIntegration(
      {
        url: 'http://127.0.0.1:9/x',
        send_resolved: true,
        max_alerts: 0,
        hmac_header: 'X-Sig',
        payload_template: 'not json {{ .Status }}',
      },
      0,
    );
    expect(() => integ.render(data)).toThrow(expect.objectContaining({ retry: false }));
  });
});
