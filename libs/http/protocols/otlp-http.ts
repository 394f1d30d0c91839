import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PharosError } from '../../errors/errors.ts';
import { decodeContentEncoding, mediaType } from '../content-encoding.ts';
import { setProtocolErrorHandler } from '../protocol-error-handler.ts';
import type { OtlpEncoding } from '../../otlp/otlp-logs.decode.ts';
import { CONTENT_TYPE, statusBody } from './otlp-status.ts';

/**
 * What every OTLP/HTTP endpoint shares (logs now, traces with issue 22; docs/specification.md,
 * "OTLP/HTTP"): bodies taken raw whatever their media type, so a wrong one is answered in OTLP's shape;
 * protobuf or JSON told by Content-Type; gzip; failures as google.rpc.Status in the request's encoding.
 */
export function otlpPlugin(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  setProtocolErrorHandler(app, (status, body, request) => {
    const encoding = encodingOf(request) ?? 'json';
    return { contentType: CONTENT_TYPE[encoding], payload: statusBody(encoding, status, body) };
  });
}

/** The encoding a Content-Type names, or undefined for one OTLP/HTTP does not define. */
export function encodingOf(request: FastifyRequest): OtlpEncoding | undefined {
  const type = mediaType(request.headers['content-type']);
  return type === 'application/x-protobuf' ? 'protobuf' : type === 'application/json' ? 'json' : undefined;
}

/** The request's encoding and its decompressed body; 415 for a media type OTLP does not define. */
export async function otlpBody(
  request: FastifyRequest,
  maxBytes: number,
): Promise<{ encoding: OtlpEncoding; body: Buffer }> {
  const encoding = encodingOf(request);
  if (!encoding) {
    throw new PharosError(
      'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
      `Content-Type "${request.headers['content-type'] ?? ''}" is not OTLP/HTTP: send application/x-protobuf or application/json`,
    );
  }
  const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  return { encoding, body: await decodeContentEncoding(raw, header(request, 'content-encoding'), maxBytes) };
}

const header = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};
