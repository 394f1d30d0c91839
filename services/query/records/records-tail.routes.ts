import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { RECORD_KINDS } from '../../../libs/schemas/records.ts';
import type { RecordsTail, TailEvent } from './records-tail.ts';
import { TAIL_EVENTS_DESCRIPTION, tailQuerySchema } from './records-tail.schemas.ts';

/**
 * One event in the text/event-stream format (WHATWG HTML, "Server-sent events": `event:`, `id:`, `data:`, blank line).
 */
export function sseFrame(e: TailEvent): string {
  switch (e.type) {
    case 'heartbeat':
      return ': heartbeat\n\n';
    case 'record':
      return `event: record\nid: ${e.doc.id.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(e.doc)}\n\n`;
    default: {
      const { type, ...data } = e;
      return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    }
  }
}

/**
 * GET /v1/{logs,events,audit}/tail: a live tail as Server-Sent Events, over RecordsTail. Errors found before
 * the stream starts (bad query, scope, too many streams) are ordinary JSON error answers. The app's close
 * ends every stream first (preClose), so shutdown does not wait for clients to hang up.
 */
export function recordsTailRoutes(tail: RecordsTail): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    app.addHook('preClose', async () => tail.closeAll());
    for (const kind of RECORD_KINDS) {
      app.get(
        `/v1/${kind}/tail`,
        {
          config: { access: { role: 'viewer' } },
          schema: {
            tags: [kind],
            summary: `Live tail of new ${kind} records (Server-Sent Events)`,
            description: TAIL_EVENTS_DESCRIPTION,
            querystring: tailQuerySchema(kind),
          },
        },
        async (request, reply) => {
          const events = tail.open({ kind, query: request.query }, request.principal, request.clientSignal);
          async function* frames(): AsyncGenerator<string> {
            for await (const e of events) yield sseFrame(e);
          }
          return (
            reply
              .header('content-type', 'text/event-stream; charset=utf-8')
              .header('cache-control', 'no-cache, no-transform')
              // Proxies that buffer (nginx) would hold the events back.
              .header('x-accel-buffering', 'no')
              .send(Readable.from(frames(), { objectMode: false }))
          );
        },
      );
    }
  };
}
