import { describe, expect, it } from 'vitest';
import { alertingConfigSchema } from '../alerting.ts';
import { configNotes } from './am-notes.ts';

describe('what Pharos accepts but does not act on, and its own options', () => {
  it('names receivers it does not deliver to, ignored options, and Pharos-only kinds and options', () => {
    const c = alertingConfigSchema.parse({
      route: { receiver: 'all', routes: [{ matchers: ['a="b"'], receiver: 'all', labels: { team: 'x' } }] },
      receivers: [
        {
          name: 'all',
          pushover_configs: [{ user_key: 'u', token: 't' }],
          slack_configs: [
            { api_url: 'https://hooks.slack.com/services/T/B/X', update_message: false },
            { api_url: 'https://slack.com/api/chat.postMessage', update_message: true },
          ],
          webhook_configs: [
            {
              url: 'http://h.example/',
              hmac_secret: 's',
              http_config: { oauth2: { client_id: 'c', token_url: 'http://t.example/' } },
            },
          ],
          dingtalk_configs: [{ webhook_url: 'https://oapi.dingtalk.com/robot/send?access_token=x' }],
        },
      ],
    });
    const notes = configNotes(c, { envFields: ['alerting.receivers.0.slack_configs.0.api_url_env (SLACK)'] });
    expect(notes.notActedOn.sort()).toEqual([
      'receivers.0.pushover_configs (receiver "all"): Pharos does not deliver to Pushover yet; these 1 integration(s) are not used',
      'receivers.0.slack_configs.1.update_message: not implemented by Pharos; ignored',
      'receivers.0.webhook_configs.0.http_config.oauth2: not implemented by Pharos; ignored',
      'route.routes.0.labels: route labels are not implemented by Pharos; ignored',
    ]);
    expect(notes.pharosOnly.sort()).toEqual([
      'alerting.receivers.0.slack_configs.0.api_url_env (SLACK): taken from the environment (a Pharos option)',
      'receivers.0.dingtalk_configs (receiver "all"): a Pharos receiver kind',
      'receivers.0.webhook_configs.0.hmac_secret: a Pharos option',
    ]);
  });
});
