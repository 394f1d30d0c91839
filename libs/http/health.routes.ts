import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { Feature } from './feature.ts';

/** /healthz (process alive), /readyz (every feature's dependencies up), /metrics (Prometheus text). */
export function healthRoutes(opts: { features: readonly Feature[]; metrics: Registry }): FastifyPluginAsync {
  return async (app) => {
    const open = { config: { access: { public: true } } } as const;
    app.get('/healthz', open, async () => ({ status: 'ok' }));
    app.get('/readyz', open, async (_req, reply) => {
      const checks = await Promise.all(
        opts.features.map(
          async (f) => [f.name, f.ready ? await Promise.resolve(f.ready()).catch(() => false) : true] as const,
        ),
      );
      const notReady = checks.filter(([, ok]) => !ok).map(([n]) => n);
      return reply
        .code(notReady.length ? 503 : 200)
        .send({ status: notReady.length ? 'not ready' : 'ready', notReady });
    });
    app.get('/metrics', open, async (_req, reply) => {
      return reply.header('content-type', opts.metrics.contentType).send(await opts.metrics.metrics());
    });
  };
}
