import { z } from 'zod';
import { httpConfigSchema } from './am-http-config.ts';
import { amString, amUrl, atMostOne, issue } from './am-primitives.ts';

/**
 * Receiver kinds Alertmanager has and Pharos does not deliver to yet. They are validated as Alertmanager validates
 * them (so check-config agrees on what is refused), kept in the config, and listed as "not acted on" at boot and by
 * check-config, never silently dropped. The four kinds of 0.25 (pushover, victorops, sns, webex) are checked field by
 * field; the newer ones (jira, rocketchat, mattermost, incidentio) only for their required fields.
 */
const base = { send_resolved: z.boolean().optional(), http_config: httpConfigSchema.optional() };

const pushover = z
  .object({
    ...base,
    user_key: amString.optional(),
    user_key_file: amString.optional(),
    token: amString.optional(),
    token_file: amString.optional(),
    title: amString.optional(),
    message: amString.optional(),
    url: amString.optional(),
    url_title: amString.optional(),
    device: amString.optional(),
    sound: amString.optional(),
    priority: amString.optional(),
    retry: amString.optional(),
    expire: amString.optional(),
    ttl: amString.optional(),
    html: z.boolean().optional(),
    monospace: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.user_key && !c.user_key_file)
      issue(ctx, ['user_key'], 'one of user_key or user_key_file must be configured');
    atMostOne(ctx, c, ['user_key', 'user_key_file']);
    if (!c.token && !c.token_file) issue(ctx, ['token'], 'one of token or token_file must be configured');
    atMostOne(ctx, c, ['token', 'token_file']);
    if (c.html && c.monospace) issue(ctx, ['monospace'], 'at most one of monospace & html must be configured');
  });

const VICTOROPS_RESERVED = [
  'routing_key',
  'message_type',
  'state_message',
  'entity_display_name',
  'monitoring_tool',
  'entity_id',
  'entity_state',
];

const victorops = z
  .object({
    ...base,
    api_key: amString.optional(),
    api_key_file: amString.optional(),
    api_url: amUrl.optional(),
    routing_key: amString.optional(),
    message_type: amString.optional(),
    state_message: amString.optional(),
    entity_display_name: amString.optional(),
    monitoring_tool: amString.optional(),
    custom_fields: z.record(z.string(), amString).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.routing_key) issue(ctx, ['routing_key'], 'missing Routing key in VictorOps config');
    atMostOne(ctx, c, ['api_key', 'api_key_file']);
    for (const f of VICTOROPS_RESERVED)
      if (c.custom_fields?.[f] !== undefined)
        issue(
          ctx,
          ['custom_fields', f],
          `victorOps config contains custom field ${f} which cannot be used as it conflicts with the fixed/static fields`,
        );
  });

const sns = z
  .object({
    ...base,
    api_url: amString.optional(),
    sigv4: z
      .object({
        region: amString.optional(),
        access_key: amString.optional(),
        secret_key: amString.optional(),
        profile: amString.optional(),
        role_arn: amString.optional(),
        external_id: amString.optional(),
        use_fips_sts_endpoint: z.boolean().optional(),
      })
      .strict()
      .optional(),
    topic_arn: amString.optional(),
    phone_number: amString.optional(),
    target_arn: amString.optional(),
    subject: amString.optional(),
    message: amString.optional(),
    attributes: z.record(z.string(), amString).optional(),
    use_aws_http_client: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Alertmanager's test, evaluated left to right as Go does: ((target == "") != (topic == "")) != (phone == "").
    if ((!c.target_arn !== !c.topic_arn) !== !c.phone_number)
      issue(ctx, ['topic_arn'], 'must provide either a Target ARN, Topic ARN, or Phone Number for SNS config');
  });

const webex = z
  .object({ ...base, api_url: amUrl.optional(), message: amString.optional(), room_id: amString.optional() })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.room_id) issue(ctx, ['room_id'], 'missing room_id on webex_config');
    if (!c.http_config?.authorization)
      issue(ctx, ['http_config', 'authorization'], 'missing webex_configs.http_config.authorization');
  });

const jira = z
  .object({ project: amString.optional(), issue_type: amString.optional(), api_type: amString.optional() })
  .loose()
  .superRefine((c, ctx) => {
    if (!c.project) issue(ctx, ['project'], 'missing project in jira_config');
    if (!c.issue_type) issue(ctx, ['issue_type'], 'missing issue_type in jira_config');
    if (c.api_type !== undefined && !['auto', 'cloud', 'datacenter'].includes(c.api_type))
      issue(ctx, ['api_type'], 'unknown api_type on jira_config, must be auto, cloud or datacenter');
  });

const rocketchat = z
  .object({
    token: amString.optional(),
    token_file: amString.optional(),
    token_id: amString.optional(),
    token_id_file: amString.optional(),
  })
  .loose()
  .superRefine((c, ctx) => {
    atMostOne(ctx, c, ['token', 'token_file']);
    atMostOne(ctx, c, ['token_id', 'token_id_file']);
  });

const mattermost = z
  .object({ webhook_url: amString.optional(), webhook_url_file: amString.optional() })
  .loose()
  .superRefine((c, ctx) => atMostOne(ctx, c, ['webhook_url', 'webhook_url_file']));

const incidentio = z
  .object({
    url: amString.optional(),
    url_file: amString.optional(),
    alert_source_token: amString.optional(),
    alert_source_token_file: amString.optional(),
    http_config: httpConfigSchema.optional(),
  })
  .loose()
  .superRefine((c, ctx) => {
    if (!c.url && !c.url_file) issue(ctx, ['url'], 'one of url or url_file must be configured');
    atMostOne(ctx, c, ['url', 'url_file']);
    atMostOne(ctx, c, ['alert_source_token', 'alert_source_token_file']);
    const token = Boolean(c.alert_source_token || c.alert_source_token_file);
    if (c.http_config?.authorization && token)
      issue(
        ctx,
        ['alert_source_token'],
        'cannot specify alert_source_token or alert_source_token_file when using http_config.authorization',
      );
    if (!c.http_config?.authorization && !token)
      issue(
        ctx,
        ['alert_source_token'],
        'at least one of alert_source_token, alert_source_token_file or http_config.authorization must be configured',
      );
  });

/** Keyed by their Alertmanager config key. */
export const NOT_DELIVERED_RECEIVERS = {
  pushover_configs: pushover,
  victorops_configs: victorops,
  sns_configs: sns,
  webex_configs: webex,
  jira_configs: jira,
  rocketchat_configs: rocketchat,
  mattermost_configs: mattermost,
  incidentio_configs: incidentio,
} as const;
