import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { alertingConfigSchema } from './alerting.ts';

describe('alerting config', () => {
  it('accepts the alerting part of a real alertmanager.yml as it is', () => {
    const am = parse(`
global:
  resolve_timeout: 5m
  smtp_smarthost: smtp.example.org:587
  smtp_from: alertmanager@example.org
route:
  receiver: team-X-mails
  group_by: ['alertname', 'cluster', 'service']
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 3h
  routes:
    - matchers: [service=~"foo1|foo2|baz"]
      receiver: team-X-mails
      routes:
        - matchers: [severity="critical"]
          receiver: team-X-pager
    - match: { service: files }
      receiver: team-Y-mails
      continue: true
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname, cluster, service]
receivers:
  - name: team-X-mails
    email_configs:
      - to: team-X+alerts@example.org
  - name: team-X-pager
    webhook_configs:
      - url: http://127.0.0.1:5001/
        send_resolved: true
  - name: team-Y-mails
    email_configs:
      - to: team-Y+alerts@example.org
        headers: { Subject: 'Y: {{ .CommonLabels.alertname }}' }
`) as object;
    const parsed = alertingConfigSchema.parse(am);
    expect(parsed.route.routes?.[0]?.routes?.[0]?.receiver).toBe('team-X-pager');
    expect(parsed.receivers[1]?.webhook_configs?.[0]?.url).toBe('http://127.0.0.1:5001/');
  });

  it('lists every problem with its path', () => {
    const r = alertingConfigSchema.safeParse({
      route: { receiver: 'nope', group_wait: 'soon', mute_time_intervals: ['weekend'] },
      receivers: [{ name: 'a', slack_configs: [{}] }, { name: 'a' }],
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    // Slack is delivered now: what is wrong with this entry is the missing webhook URL (and no global one).
    expect(paths).toEqual(expect.arrayContaining(['route.group_wait', 'receivers.0.slack_configs.0.api_url']));
    const again = alertingConfigSchema.safeParse({
      route: { receiver: 'nope', mute_time_intervals: ['weekend'] },
      receivers: [{ name: 'a' }, { name: 'a' }],
    });
    // Time intervals are supported; the root route may not have any, and "weekend" is not defined.
    expect(again.error?.issues.map((i) => i.path.join('.'))).toEqual(
      expect.arrayContaining([
        'receivers.1.name',
        'route.receiver',
        'route.mute_time_intervals',
        'route.mute_time_intervals.0',
      ]),
    );
  });
});
