import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PharosError } from '../errors/errors.ts';

/**
 * Media types read as plain strings for every route (app.ts registers the parser once, for the NDJSON
 * log intake). A JSON route would receive such a body as a string and fail its schema with a vague 400;
 * a route takes them only when it lists them in `config.bodyTypes`, and is answered 415 otherwise. A
 * plugin that removed those parsers (the Loki and Elasticsearch intakes read buffers) is left to judge
 * types itself. Other media types need a parser in the route's context, so Fastify answers 415 for them.
 */
export const TEXT_BODY_TYPES = ['text/plain', 'application/x-ndjson'] as const;
export type TextBodyType = (typeof TEXT_BODY_TYPES)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Text media types this route reads as a string body (see TEXT_BODY_TYPES). */
    bodyTypes?: readonly TextBodyType[];
  }
}

/** The media type of a Content-Type header, lowercased and without parameters (RFC 9110 §8.3.1). */
export const mediaTypeOf = (header: string | undefined): string => (header ?? '').split(';')[0]!.trim().toLowerCase();

const hasBody = (request: FastifyRequest): boolean =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

/** Refuses, before the body is read, a text body sent to a route that does not list its media type. */
export function checkBodyType(request: FastifyRequest): void {
  if (request.is404 || !hasBody(request)) return;
  const media = mediaTypeOf(request.headers['content-type']);
  if (!(TEXT_BODY_TYPES as readonly string[]).includes(media)) return;
  if ((request.routeOptions.config?.bodyTypes as readonly string[] | undefined)?.includes(media)) return;
  // A plugin that replaced the parsers (an intake reading raw buffers and checking types itself) decides.
  if (!request.server.hasContentTypeParser(media)) return;
  throw new PharosError(
    'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
    `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]} does not take ${media} bodies: send JSON as application/json`,
  );
}

/** Not encapsulated: guards every route registered after it. */
export const bodyTypeGuard = fp(
  async (app: FastifyInstance) => {
    app.addHook('preParsing', async (request) => checkBodyType(request));
  },
  { name: 'pharos-body-types' },
);
