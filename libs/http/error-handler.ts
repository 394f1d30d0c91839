import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ERROR_CATALOGUE, PharosError, type ErrorCode, type ErrorDetail } from '../errors/errors.ts';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetail[] };
}

/** Fastify's own error codes that are the client's fault, mapped to our catalogue. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'PHAROS_ERR_VALIDATION',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PHAROS_ERR_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'PHAROS_ERR_BAD_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'PHAROS_ERR_BAD_JSON',
  FST_ERR_CTP_EMPTY_TYPE: 'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
};

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'PHAROS_ERR_VALIDATION',
  401: 'PHAROS_ERR_UNAUTHENTICATED',
  403: 'PHAROS_ERR_FORBIDDEN',
  404: 'PHAROS_ERR_NOT_FOUND',
  409: 'PHAROS_ERR_CONFLICT',
  413: 'PHAROS_ERR_PAYLOAD_TOO_LARGE',
  415: 'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
  422: 'PHAROS_ERR_UNPROCESSABLE',
  429: 'PHAROS_ERR_RATE_LIMITED',
};

/** Turns any thrown value into a catalogue code, message and details. The one place HTTP meets errors. */
export function toErrorBody(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof PharosError) return make(error.code, error.message, error.details);
  const e = error as Partial<FastifyError> & { validation?: unknown };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const details = error.validation.map((v) => ({
      path: [error.validationContext, ...String(v.instancePath).split('/').filter(Boolean)].filter(Boolean).join('.'),
      message: v.message ?? 'invalid',
    }));
    return make(
      'PHAROS_ERR_VALIDATION',
      `Invalid ${error.validationContext ?? 'request'}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  if (e.validation) return make('PHAROS_ERR_VALIDATION', e.message ?? 'invalid request');
  if (e.code && FASTIFY_CODES[e.code]) return make(FASTIFY_CODES[e.code] as ErrorCode, e.message ?? e.code);
  if (error instanceof SyntaxError) return make('PHAROS_ERR_BAD_JSON', `Body is not valid JSON: ${error.message}`);
  const status = e.statusCode ?? 500;
  if (status >= 400 && status < 500)
    return make(BY_STATUS[status] ?? 'PHAROS_ERR_VALIDATION', e.message ?? 'bad request');
  return make('PHAROS_ERR_INTERNAL', 'Internal error; see the server log for this request id.');
}

function make(code: ErrorCode, message: string, details?: ErrorDetail[]): { status: number; body: ErrorBody } {
  return {
    status: ERROR_CATALOGUE[code].status,
    body: { error: details?.length ? { code, message, details } : { code, message } },
  };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorBody(error);
  if (status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: body.error.code, msg: body.error.message }, 'request rejected');
  void reply.code(status).send(body);
}
