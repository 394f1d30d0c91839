import type { FastifyInstance } from 'fastify';
import { setProtocolErrorHandler } from '../protocol-error-handler.ts';

/**
 * Elasticsearch's error types by status, as its clients log them (the clients act on the status alone):
 * the Fluent Bit es output, Vector, Filebeat and the official clients retry 429 and 5xx, never other 4xx.
 */
const ERROR_TYPE: Record<number, string> = {
  400: 'illegal_argument_exception',
  401: 'security_exception',
  403: 'security_exception',
  404: 'resource_not_found_exception',
  408: 'timeout_exception',
  413: 'content_too_long_exception',
  415: 'media_type_header_exception',
  429: 'es_rejected_execution_exception',
  503: 'unavailable_shards_exception',
};

/**
 * What every Elasticsearch-compatible route shares: bodies taken raw, whatever their media type; every
 * answer carries `X-Elastic-Product: Elasticsearch` (the official clients since 7.14 and the
 * Collector's ES exporter drop answers without it); errors in Elasticsearch's shape
 * `{error: {root_cause, type, reason}, status}` with Pharos's `code` and `message` inside `error`, so both
 * kinds of reader find what they look for.
 */
export function elasticsearchPlugin(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.addHook('onSend', async (_req, reply) => {
    void reply.header('x-elastic-product', 'Elasticsearch');
  });
  setProtocolErrorHandler(app, (status, body) => {
    const type = ERROR_TYPE[status] ?? (status >= 500 ? 'exception' : 'illegal_argument_exception');
    const reason = body.error.message;
    const error = {
      root_cause: [{ type, reason }],
      type,
      reason,
      code: body.error.code,
      message: body.error.message,
      ...(body.error.details ? { details: body.error.details } : {}),
    };
    // Elasticsearch names its schemes on 401; Basic is what Fluent Bit's http_user/http_passwd and Vector send.
    const headers = status === 401 ? { 'www-authenticate': 'Basic realm="pharos", ApiKey, Bearer' } : undefined;
    return {
      contentType: 'application/json; charset=UTF-8',
      payload: JSON.stringify({ error, status }),
      ...(headers ? { headers } : {}),
    };
  });
}
