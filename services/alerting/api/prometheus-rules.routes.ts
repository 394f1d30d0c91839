import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InputError } from '../../../libs/errors/errors.ts';
import { toErrorBody } from '../../../libs/http/error-handler.ts';
import { parsePromQL } from '../../../libs/promql/parser.ts';
import { matcher, type Matcher } from '../notify/matchers.ts';
import type { PrometheusRulesService } from '../prometheus/prometheus-rules.service.ts';

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

/**
 * GET /prometheus/api/v1/rules and /prometheus/api/v1/alerts in Prometheus's envelope (status, data; errorType and
 * error on failure), thin over PrometheusRulesService.
 */
export function prometheusRulesRoutes(getService: () => Promise<PrometheusRulesService>): FastifyPluginAsync {
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
        const q = req.query;
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
        const data = await (
          await getService()
        ).rules(req.principal.scope, {
          ...(type ? { type: type as 'alert' | 'record' } : {}),
          ruleNames: list(q['rule_name[]']),
          ruleGroups: list(q['rule_group[]']),
          files: list(q['file[]']),
          match: list(q['match[]']).map(selectorMatchers),
          excludeAlerts,
        });
        return { status: 'success', data };
      },
    );
    app.get(
      '/prometheus/api/v1/alerts',
      { schema: { tags, summary: 'Active alerts (pending and firing), as Prometheus answers' } },
      async (req) => ({ status: 'success', data: await (await getService()).alerts(req.principal.scope) }),
    );
  };
}
