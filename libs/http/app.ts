import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { HTTP_DEFAULTS } from '../config/config.schema.ts';
import type { Logger } from '../logging/logger.ts';
import { NotFoundError } from '../errors/errors.ts';
import { authHook, type AccessGuards, type Authenticator } from './auth.hook.ts';
import { bodyTypeGuard } from './body-types.ts';
import type { HttpLimits } from './client-error.ts';
import { errorHandler } from './error-handler.ts';
import type { Feature } from './feature.ts';
import { healthRoutes } from './health.routes.ts';
import { httpMetrics } from './http-metrics.ts';
import { requestSignal } from './request-signal.ts';
import { answerWhileClosing, serverLimitOptions } from './server-limits.ts';

export interface AppOptions {
  logger: Logger;
  metrics: Registry;
  authenticator: Authenticator;
  features: readonly Feature[];
  bodyLimitBytes?: number;
  /** Request / header timeouts and the header size limit (server.*); config defaults when left out. */
  limits?: Partial<HttpLimits>;
  /** Rate limiter and self-audit trail applied with authentication (libs/runtime/security.ts). */
  guards?: AccessGuards;
}

export const OPENAPI_INFO = {
  title: 'Pharos API',
  description: 'Multi-cluster logs, events, audit, federated PromQL, alerting and dashboards.',
  version: '0.1.0',
};

/**
 * Builds the HTTP app without listening, so tests use `app.inject()`. Order matters: error handler and
 * auth hook first (they must cover every feature), then health, then each feature as its own
 * encapsulated plugin.
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const limits: HttpLimits = { ...HTTP_DEFAULTS, ...opts.limits };
  const logger = opts.logger.child({ component: 'http' }) as FastifyBaseLogger;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: opts.bodyLimitBytes ?? 16 * 1024 * 1024,
    // Per-request lines come from our own hooks (metrics, errors); Fastify's two lines per request are noise.
    logController: new LogController({ disableRequestLogging: true }),
    // Shutting down is answered by answerWhileClosing, in the error shape of every other answer.
    return503OnClosing: false,
    // Router-level errors (a malformed %-encoding in the path) get the same error body as everything else.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
    ajv: { customOptions: { coerceTypes: 'array' } },
    ...serverLimitOptions(limits, logger, opts.metrics),
  }).withTypeProvider<ZodTypeProvider>();
  answerWhileClosing(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req) => {
    throw new NotFoundError(`no route ${req.method} ${req.url.split('?')[0]}`);
  });
  // NDJSON bodies (log intake) arrive as text; the route parses line by line and reports bad lines.
  app.addContentTypeParser(['application/x-ndjson', 'text/plain'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  await app.register(swagger, {
    openapi: {
      info: OPENAPI_INFO,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  await app.register(requestSignal);
  await app.register(authHook, { authenticator: opts.authenticator, ...opts.guards });
  await app.register(bodyTypeGuard);
  await app.register(httpMetrics, { metrics: opts.metrics });
  await app.register(healthRoutes({ features: opts.features, metrics: opts.metrics }));
  for (const feature of opts.features) if (feature.routes) await app.register(feature.routes);
  return app;
}
