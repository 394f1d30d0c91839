/**
 * Domain errors. They carry a stable code and a message a user can act on, and know nothing of HTTP:
 * the HTTP error handler (libs/http/error-handler.ts) and the Kafka consumer map the same codes to a
 * status or to retry / dead-letter / drop. The catalogue is documented in docs/errors.md, kept in step
 * by errors.test.ts.
 */
export const ERROR_CATALOGUE = {
  PHAROS_ERR_VALIDATION: { status: 400, retry: false, summary: 'The request or record does not match its schema.' },
  PHAROS_ERR_BAD_JSON: { status: 400, retry: false, summary: 'The body is not valid JSON / NDJSON.' },
  PHAROS_ERR_LIMIT: {
    status: 400,
    retry: false,
    summary:
      'A configured limit (time range, page size, series, samples, points per series) was exceeded; the message names it.',
  },
  PHAROS_ERR_UNAUTHENTICATED: { status: 401, retry: false, summary: 'No valid credentials were presented.' },
  PHAROS_ERR_FORBIDDEN: {
    status: 403,
    retry: false,
    summary: 'The credentials are valid but their role or scope does not allow this.',
  },
  PHAROS_ERR_NOT_FOUND: { status: 404, retry: false, summary: 'The resource or route does not exist.' },
  PHAROS_ERR_REQUEST_TIMEOUT: {
    status: 408,
    retry: true,
    summary: "The request (headers or body) did not arrive within the server's timeout; the connection is closed.",
  },
  PHAROS_ERR_CONFLICT: {
    status: 409,
    retry: false,
    summary: 'The resource changed or already exists (version conflict).',
  },
  PHAROS_ERR_PAYLOAD_TOO_LARGE: {
    status: 413,
    retry: false,
    summary: 'The request body is over the configured limit.',
  },
  PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    retry: false,
    summary: 'The Content-Type is not one this endpoint accepts.',
  },
  PHAROS_ERR_UNPROCESSABLE: {
    status: 422,
    retry: false,
    summary: 'Well-formed, but cannot be executed exactly (for example a PromQL construct Pharos cannot federate).',
  },
  PHAROS_ERR_RATE_LIMITED: { status: 429, retry: true, summary: 'Too many requests for this token; retry later.' },
  PHAROS_ERR_HEADERS_TOO_LARGE: {
    status: 431,
    retry: false,
    summary: "The request line and headers together are over the server's limit.",
  },
  PHAROS_ERR_UNAVAILABLE: {
    status: 503,
    retry: true,
    summary: 'A backend (bus, store, Prometheus) is unreachable; retry later.',
  },
  PHAROS_ERR_TIMEOUT: { status: 503, retry: true, summary: 'The operation took longer than its timeout.' },
  PHAROS_ERR_INTERNAL: { status: 500, retry: true, summary: 'An unexpected error; it is logged with the request id.' },
} as const satisfies Record<string, { status: number; retry: boolean; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorDetail {
  /** Where the problem is: a dotted field path, a record index, a cluster name. */
  path?: string;
  message: string;
}

export class PharosError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;
  constructor(code: ErrorCode, message: string, options?: { details?: ErrorDetail[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
  get retryable(): boolean {
    return ERROR_CATALOGUE[this.code].retry;
  }
}

export class InputError extends PharosError {
  constructor(message: string, details?: ErrorDetail[]) {
    super('PHAROS_ERR_VALIDATION', message, details ? { details } : undefined);
  }
}
export class LimitError extends PharosError {
  constructor(message: string, details?: ErrorDetail[]) {
    super('PHAROS_ERR_LIMIT', message, details ? { details } : undefined);
  }
}
export class NotFoundError extends PharosError {
  constructor(message: string) {
    super('PHAROS_ERR_NOT_FOUND', message);
  }
}
export class ConflictError extends PharosError {
  constructor(message: string) {
    super('PHAROS_ERR_CONFLICT', message);
  }
}
export class UnauthenticatedError extends PharosError {
  constructor(message = 'Missing or invalid credentials: send Authorization: Bearer <token>') {
    super('PHAROS_ERR_UNAUTHENTICATED', message);
  }
}
export class ForbiddenError extends PharosError {
  constructor(message: string) {
    super('PHAROS_ERR_FORBIDDEN', message);
  }
}
export class UnprocessableError extends PharosError {
  constructor(message: string) {
    super('PHAROS_ERR_UNPROCESSABLE', message);
  }
}
export class UnavailableError extends PharosError {
  constructor(message: string, cause?: unknown) {
    super('PHAROS_ERR_UNAVAILABLE', message, { cause });
  }
}
export class TimeoutError extends PharosError {
  constructor(message: string) {
    super('PHAROS_ERR_TIMEOUT', message);
  }
}

/** zod issues → details with dotted paths, so a validation error points at the field. */
export function zodDetails(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): ErrorDetail[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}
