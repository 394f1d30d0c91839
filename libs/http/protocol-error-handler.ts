import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody, type ErrorBody } from './error-handler.ts';

/** How a protocol writes an error: its content type and body, from Pharos's status and error body. */
export type ErrorRenderer = (
  status: number,
  body: ErrorBody,
  request: FastifyRequest,
) => { contentType: string; payload: string | Buffer; headers?: Record<string, string> };

/**
 * Seconds a sender should wait before retrying a 429/503 (RFC 9110 §10.2.3). Agents back off
 * exponentially without it; with it, OTLP exporters, Fluent Bit and Vector wait this long.
 */
export const RETRY_AFTER_SECONDS = 2;

/**
 * The error handler of an intake plugin that speaks another protocol (OTLP, Loki, Elasticsearch): the
 * same mapping as everywhere (toErrorBody: one place decides status and code), written in the shape
 * that protocol's clients read. Set inside the plugin, it also covers its routes' auth, body-limit and
 * content-type errors, which Fastify hands to the route's own error handler.
 */
export function setProtocolErrorHandler(app: FastifyInstance, render: ErrorRenderer): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorBody(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, msg: body.error.message }, 'request rejected');
    if ((status === 429 || status === 503) && !reply.hasHeader('retry-after'))
      void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    const { contentType, payload, headers } = render(status, body, request);
    void reply
      .code(status)
      .headers(headers ?? {})
      .header('content-type', contentType)
      .send(payload);
  });
}
