import { z } from 'zod';
import { notifierFields } from './am-receivers-basic.ts';
import { amString, amUrl, atMostOne, goDuration, issue } from './am-primitives.ts';

/** PagerDuty, Opsgenie and WeChat (WeCom), as notify/<name>/config.go of Alertmanager 0.35. */

export const pagerdutyConfigSchema = z
  .object({
    ...notifierFields,
    send_resolved: z.boolean().default(true),
    service_key: amString.optional(),
    service_key_file: amString.optional(),
    routing_key: amString.optional(),
    routing_key_file: amString.optional(),
    url: amUrl.optional(),
    client: amString.optional(),
    client_url: amString.optional(),
    description: amString.optional(),
    /** 0.25: strings; 0.35: any YAML value, string leaves templated. */
    details: z.record(z.string(), z.unknown()).optional(),
    images: z
      .array(z.object({ src: amString.optional(), alt: amString.optional(), href: amString.optional() }).strict())
      .optional(),
    links: z.array(z.object({ href: amString.optional(), text: amString.optional() }).strict()).optional(),
    source: amString.optional(),
    severity: amString.optional(),
    class: amString.optional(),
    component: amString.optional(),
    group: amString.optional(),
    timeout: goDuration.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.routing_key && !c.service_key && !c.routing_key_file && !c.service_key_file)
      issue(ctx, ['routing_key'], 'missing service or routing key in PagerDuty config');
    atMostOne(ctx, c, ['routing_key', 'routing_key_file']);
    atMostOne(ctx, c, ['service_key', 'service_key_file']);
  });

const OPSGENIE_TYPES = /^(team|teams|user|escalation|schedule)$/;

const responder = z
  .object({
    id: amString.optional(),
    name: amString.optional(),
    username: amString.optional(),
    type: amString.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!r.id && !r.username && !r.name)
      issue(ctx, [], 'opsGenieConfig responder has to have at least one of id, username or name specified');
    const type = r.type ?? '';
    if (!type.includes('{{') && !OPSGENIE_TYPES.test(type.toLowerCase()))
      issue(ctx, ['type'], `opsGenieConfig responder type does not match valid options ${OPSGENIE_TYPES.source}`);
  })
  .transform((r) => (r.type && !r.type.includes('{{') ? { ...r, type: r.type.toLowerCase() } : r));

export const opsgenieConfigSchema = z
  .object({
    ...notifierFields,
    send_resolved: z.boolean().default(true),
    api_key: amString.optional(),
    api_key_file: amString.optional(),
    api_url: amUrl.optional(),
    message: amString.optional(),
    description: amString.optional(),
    source: amString.optional(),
    details: z.record(z.string(), amString).optional(),
    entity: amString.optional(),
    responders: z.array(responder).optional(),
    actions: amString.optional(),
    tags: amString.optional(),
    note: amString.optional(),
    priority: amString.optional(),
    update_alerts: z.boolean().default(false),
  })
  .strict()
  .superRefine((c, ctx) => atMostOne(ctx, c, ['api_key', 'api_key_file']));

export const wechatConfigSchema = z
  .object({
    ...notifierFields,
    send_resolved: z.boolean().default(false),
    api_secret: amString.optional(),
    api_secret_file: amString.optional(),
    corp_id: amString.optional(),
    message: amString.optional(),
    api_url: amUrl.optional(),
    to_user: amString.optional(),
    to_party: amString.optional(),
    to_tag: amString.optional(),
    agent_id: amString.optional(),
    message_type: amString.optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.message_type !== undefined && c.message_type !== '' && !/^(text|markdown)$/.test(c.message_type)) {
      issue(
        ctx,
        ['message_type'],
        `weChat message type "${c.message_type}" does not match valid options ^(text|markdown)$`,
      );
    }
    atMostOne(ctx, c, ['api_secret', 'api_secret_file']);
  })
  .transform((c) => ({ ...c, message_type: c.message_type || 'text' }));

export type PagerdutyConfig = z.infer<typeof pagerdutyConfigSchema>;
export type OpsgenieConfig = z.infer<typeof opsgenieConfigSchema>;
export type WechatConfig = z.infer<typeof wechatConfigSchema>;
