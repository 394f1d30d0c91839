import { z } from 'zod';
import { globalSchema, type GlobalConfig } from './am-global.ts';
import { amString, issue } from './am-primitives.ts';
import { receiverSchema, type ReceiverConfig } from './am-receiver.ts';
import { inhibitRuleSchema, routeSchema, type AmRoute } from './am-route.ts';
import { namedTimeIntervalSchema, type NamedTimeInterval } from './am-time-intervals.ts';

/**
 * A whole alertmanager.yml (config/config.go Load + Config.UnmarshalYAML of Alertmanager 0.35): the sections, then
 * the checks that need several of them at once (global defaults a receiver relies on, the root route, names used in
 * routes). Used for `alerting.alertmanagerConfigFile`, `npm run check-config`, and, with Pharos's defaults for route
 * and receivers, for the `alerting` section itself.
 */
export const AM_TOP_LEVEL_KEYS = [
  'global',
  'route',
  'receivers',
  'inhibit_rules',
  'templates',
  'time_intervals',
  'mute_time_intervals',
  'tracing',
  'event_recorder',
] as const;

export const amSections = {
  global: globalSchema.prefault({}),
  inhibit_rules: z.array(inhibitRuleSchema).default([]),
  templates: z.array(amString).default([]),
  time_intervals: z.array(namedTimeIntervalSchema).default([]),
  mute_time_intervals: z.array(namedTimeIntervalSchema).default([]),
  /** Alertmanager 0.28+ (OpenTelemetry tracing) and 0.33+ (event recorder): accepted, not acted on. */
  tracing: z.record(z.string(), z.unknown()).optional(),
  event_recorder: z.record(z.string(), z.unknown()).optional(),
};

export interface AmCrossCheckInput {
  global: GlobalConfig;
  route?: AmRoute | undefined;
  receivers: ReceiverConfig[];
  time_intervals: NamedTimeInterval[];
  mute_time_intervals: NamedTimeInterval[];
}

const given = (...xs: unknown[]) => xs.some((x) => x !== undefined && x !== '');

/** The checks of Config.UnmarshalYAML that look across sections; `at` prefixes every path. */
export function checkAlertmanagerConfig(
  c: AmCrossCheckInput,
  ctx: z.RefinementCtx,
  at: (string | number)[] = [],
): void {
  const names = new Set<string>();
  c.receivers.forEach((r, i) => {
    const here = [...at, 'receivers', i];
    if (names.has(r.name)) issue(ctx, [...here, 'name'], `notification config name "${r.name}" is not unique`);
    names.add(r.name);
    checkReceiverGlobals(r, c.global, { ctx, at: here });
  });
  const route = c.route;
  if (!route) {
    issue(ctx, [...at, 'route'], 'no route provided in config');
    return;
  }
  if (!route.receiver) issue(ctx, [...at, 'route', 'receiver'], 'root route must specify a default receiver');
  if (route.match || route.match_re || route.matchers?.length)
    issue(ctx, [...at, 'route', 'matchers'], 'root route must not have any matchers');
  if (route.mute_time_intervals?.length)
    issue(ctx, [...at, 'route', 'mute_time_intervals'], 'root route must not have any mute time intervals');
  if (route.active_time_intervals?.length)
    issue(ctx, [...at, 'route', 'active_time_intervals'], 'root route must not have any active time intervals');
  if (route.continue) issue(ctx, [...at, 'route', 'continue'], 'cannot have continue in root route');
  const intervals = new Set<string>();
  for (const [key, list] of [
    ['mute_time_intervals', c.mute_time_intervals],
    ['time_intervals', c.time_intervals],
  ] as const) {
    list.forEach((t, i) => {
      if (intervals.has(t.name))
        issue(
          ctx,
          [...at, key, i, 'name'],
          `${key === 'time_intervals' ? 'time' : 'mute time'} interval "${t.name}" is not unique`,
        );
      intervals.add(t.name);
    });
  }
  const walk = (r: AmRoute, path: (string | number)[]) => {
    if (r.receiver && !names.has(r.receiver))
      issue(ctx, [...path, 'receiver'], `undefined receiver "${r.receiver}" used in route`);
    for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
      r[key]?.forEach((name, i) => {
        if (!intervals.has(name)) issue(ctx, [...path, key, i], `undefined time interval "${name}" used in route`);
      });
    }
    r.routes?.forEach((child, i) => walk(child, [...path, 'routes', i]));
  };
  walk(route, [...at, 'route']);
}

/** What a receiver may leave to `global`, and Alertmanager's error when global has it neither. */
function checkReceiverGlobals(
  r: ReceiverConfig,
  g: GlobalConfig,
  { ctx, at }: { ctx: z.RefinementCtx; at: (string | number)[] },
): void {
  const each = <T>(key: string, list: T[] | undefined, check: (c: T, path: (string | number)[]) => void) =>
    list?.forEach((c, j) => check(c, [...at, key, j]));
  each('email_configs', r.email_configs, (c, p) => {
    if (!c.smarthost && !g.smtp_smarthost) issue(ctx, [...p, 'smarthost'], 'no global SMTP smarthost set');
    if (!c.from && !g.smtp_from) issue(ctx, [...p, 'from'], 'no global SMTP from set');
  });
  each('slack_configs', r.slack_configs, (c, p) => {
    const ownToken = given(c.app_token, c.app_token_file);
    if (
      !given(c.api_url, c.api_url_file, c.app_token, c.app_token_file) &&
      !given(g.slack_api_url, g.slack_api_url_file, g.slack_app_token, g.slack_app_token_file)
    ) {
      issue(ctx, [...p, 'api_url'], 'no Slack API URL nor App token set either inline or in a file');
    }
    const usesToken =
      ownToken ||
      (!given(c.api_url, c.api_url_file) &&
        !c.http_config?.authorization &&
        given(g.slack_app_token, g.slack_app_token_file) &&
        !given(g.slack_api_url, g.slack_api_url_file));
    if (usesToken && c.http_config?.authorization)
      issue(ctx, [...p, 'http_config', 'authorization'], "http authorization can't be set when using Slack App tokens");
  });
  each('opsgenie_configs', r.opsgenie_configs, (c, p) => {
    if (!given(c.api_key, c.api_key_file, g.opsgenie_api_key, g.opsgenie_api_key_file))
      issue(ctx, [...p, 'api_key'], 'no global OpsGenie API Key set either inline or in a file');
  });
  each('wechat_configs', r.wechat_configs, (c, p) => {
    if (!given(c.api_secret, c.api_secret_file, g.wechat_api_secret, g.wechat_api_secret_file))
      issue(ctx, [...p, 'api_secret'], 'no global Wechat Api Secret set either inline or in a file');
    if (!given(c.corp_id, g.wechat_api_corp_id)) issue(ctx, [...p, 'corp_id'], 'no global Wechat CorpID set');
  });
  each('telegram_configs', r.telegram_configs, (c, p) => {
    if (!given(c.bot_token, c.bot_token_file, g.telegram_bot_token, g.telegram_bot_token_file))
      issue(ctx, [...p, 'bot_token'], 'missing bot_token or bot_token_file on telegram_config');
  });
  each('victorops_configs', r.victorops_configs, (c, p) => {
    if (!given(c.api_key, c.api_key_file, g.victorops_api_key, g.victorops_api_key_file))
      issue(ctx, [...p, 'api_key'], 'no global VictorOps API Key set');
  });
  each('mattermost_configs', r.mattermost_configs, (c, p) => {
    if (!given(c.webhook_url, c.webhook_url_file, g.mattermost_webhook_url, g.mattermost_webhook_url_file))
      issue(ctx, [...p, 'webhook_url'], 'missing webhook_url or webhook_url_file on mattermost_config');
  });
  each('rocketchat_configs', r.rocketchat_configs, (c, p) => {
    if (!given(c.token_id, c.token_id_file, g.rocketchat_token_id, g.rocketchat_token_id_file))
      issue(ctx, [...p, 'token_id'], 'no global Rocketchat TokenID set either inline or in a file');
    if (!given(c.token, c.token_file, g.rocketchat_token, g.rocketchat_token_file))
      issue(ctx, [...p, 'token'], 'no global Rocketchat Token set either inline or in a file');
  });
  each('jira_configs', r.jira_configs, (c, p) => {
    if (!given((c as { api_url?: unknown }).api_url, g.jira_api_url))
      issue(ctx, [...p, 'api_url'], 'no global Jira Cloud URL set');
  });
}

/** A standalone alertmanager.yml. */
export const alertmanagerFileSchema = z
  .object({ ...amSections, route: routeSchema.optional(), receivers: z.array(receiverSchema).default([]) })
  .strict()
  .superRefine((c, ctx) => checkAlertmanagerConfig(c, ctx));

export type AlertmanagerFile = z.infer<typeof alertmanagerFileSchema>;
