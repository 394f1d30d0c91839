import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { UnavailableError } from '../errors/errors.ts';
import { clientErrorHandler, type HttpLimits } from './client-error.ts';

/**
 * The Fastify options that bound what a client can hold: slow or unfinished requests are answered 408 and
 * closed, header blocks over the limit 431, all in the error shape (client-error.ts). Node checks the
 * timeouts every connectionsCheckingInterval, 30 s by default, so it is shortened to keep the bound near the
 * timeout. Those answers never reach a route, so pharos_http_request_duration_seconds does not see them:
 * they are counted apart.
 */
export function serverLimitOptions(limits: HttpLimits, logger: FastifyBaseLogger, metrics: Registry) {
  const clientErrors = new Counter({
    name: 'pharos_http_client_errors_total',
    help: 'Requests answered by the HTTP server before routing (408 too slow, 431 headers too large, 400 not HTTP), by status',
    labelNames: ['status'],
    registers: [metrics],
  });
  return {
    requestTimeout: limits.requestTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    },
    clientErrorHandler: clientErrorHandler(limits, logger, (status) => clientErrors.inc({ status: String(status) })),
  };
}

/**
 * Requests that arrive while the app closes (on a kept-alive connection) get 503 in the error shape;
 * Fastify's own return503OnClosing answers with a body of its own, so it is turned off where this is used.
 */
export function answerWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    void reply.header('connection', 'close');
    throw new UnavailableError('Pharos is shutting down; retry in a moment');
  });
}
