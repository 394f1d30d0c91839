import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InputError } from '../../../libs/errors/errors.ts';
import { toErrorBody } from '../../../libs/http/error-handler.ts';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { matcher, type Matcher } from '../notify/matchers.ts';
import type { RulesFilter } from '../prometheus/prometheus-rules.service.ts';
import type { AlertingServices } from '../service/alerting-services.ts';
import { callerScope } from './request-scope.ts';

const oneOrMany = z.union([z.string(), z.array(z.string())]).optional();
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const rulesQuery = z.object({
  type: z.string().optional(),
  'rule_name[]': oneOrMany,
  'rule_group[]': oneOrMany,
  'file[]': oneOrMany,
  'match[]': oneOrMany,
  exclude_alerts: z.string().optional(),
});

/** A match[] selector (`{severity="critical"}`) as matchers on a rule's labels. */
function selectorMatchers(text: string): Matcher[] {
  let e;
  try {
    e = parsePromQL(text);
  } catch (err) {
    throw new InputError(`invalid parameter "match[]": ${(err as Error).message}`);
  }
  if (e.kind !== 'vector') throw new InputError(`invalid parameter "match[]": ${text} is not a series selector`);
  return e.matchers.map((m) => matcher(m.name, m.op, m.value));
}

/** The rules endpoint's parameters as Prometheus parses them (web/api/v1/api.go: rules). */
function rulesFilter(q: z.infer<typeof rulesQuery>): RulesFilter {
  const type = q.type?.toLowerCase() ?? '';
  if (type !== '' && type !== 'alert' && type !== 'record')
    throw new InputError(`invalid parameter "type": not supported value "${q.type}"`);
  const excludeAlerts =
    q.exclude_alerts === undefined || q.exclude_alerts === ''
      ? false
      : /^(1|t|true)$/i.test(q.exclude_alerts)
        ? true
        : /^(0|f|false)$/i.test(q.exclude_alerts)
          ? false
          : undefined;
  if (excludeAlerts === undefined)
    throw new InputError(`invalid parameter "exclude_alerts": not a boolean: "${q.exclude_alerts}"`);
  return {
    ...(type ? { type: type as 'alert' | 'record' } : {}),
    ruleNames: list(q['rule_name[]']),
    ruleGroups: list(q['rule_group[]']),
    files: list(q['file[]']),
    match: list(q['match[]']).map(selectorMatchers),
    excludeAlerts,
  };
}

/**
 * GET /prometheus/api/v1/rules and /prometheus/api/v1/alerts in Prometheus's envelope (status, data; errorType and
 * error on failure), thin over PrometheusRulesService.
 */
export function prometheusRulesRoutes(getServices: () => Promise<AlertingServices>): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.setErrorHandler((error, _req, reply) => {
      const { status, body } = toErrorBody(error);
      void reply.code(status).send({
        status: 'error',
        errorType: status === 400 ? 'bad_data' : status === 403 ? 'forbidden' : 'internal',
        error: body.error.message,
        code: body.error.code,
      });
    });
    const tags = ['prometheus'];
    const service = async () => (await getServices()).prometheusRules;
    app.get(
      '/prometheus/api/v1/rules',
      {
        schema: {
          tags,
          summary: 'Alerting and recording rules with their state, as Prometheus answers',
          querystring: rulesQuery,
        },
      },
      async (req) => {
        const filter = rulesFilter(req.query);
        return { status: 'success', data: await (await service()).rules(callerScope(req), filter) };
      },
    );
    app.get(
      '/prometheus/api/v1/alerts',
      { schema: { tags, summary: 'Active alerts (pending and firing), as Prometheus answers' } },
      async (req) => ({ status: 'success', data: await (await service()).alerts(callerScope(req)) }),
    );
  };
}
