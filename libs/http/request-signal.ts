import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Aborted when the client goes away before the answer is written (the response closes unfinished), so work
     * nobody waits for stops: cluster calls, store reads, a render, an export, a live tail. Work already answered
     * is never aborted: an ingest batch the client saw acknowledged stays on the bus.
     */
    readonly clientSignal: AbortSignal;
  }
}

const kWatch = Symbol('pharos.clientWatch');

interface Watch {
  gone: boolean;
  controller?: AbortController;
}

type Watched = FastifyRequest & { [kWatch]?: Watch };

/**
 * One signal per request, watched from its first hook (so a client that hangs up before the handler asks is seen
 * too) and created only when a handler reads it. Not Fastify's own `request.signal`: that one follows the
 * request stream's 'close', which Node (16+) emits as soon as the body has been read — every POST would abort at
 * once — and it also fires on a normal end.
 */
export const requestSignal = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('clientSignal', {
      getter(this: Watched): AbortSignal {
        const watch = (this[kWatch] ??= { gone: false });
        if (!watch.controller) {
          watch.controller = new AbortController();
          if (watch.gone) watch.controller.abort();
        }
        return watch.controller.signal;
      },
    });
    app.addHook('onRequest', (request: Watched, reply: FastifyReply, done: () => void) => {
      const watch: Watch = { gone: false };
      request[kWatch] = watch;
      reply.raw.once('close', () => {
        if (reply.raw.writableFinished) return;
        watch.gone = true;
        watch.controller?.abort();
      });
      done();
    });
  },
  { name: 'pharos-request-signal' },
);
