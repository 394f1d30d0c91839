import type { ErrorBody } from '../error-handler.ts';
import type { OtlpEncoding } from '../../otlp/otlp-logs.decode.ts';
import { OtlpTypes } from '../../otlp/otlp.proto.ts';

export const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/**
 * gRPC status codes by HTTP status (google.rpc.Code; OTLP/HTTP clients read the HTTP status, this is informational).
 */
const GRPC_CODE: Record<number, number> = {
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  408: 4,
  413: 8,
  415: 3,
  422: 3,
  429: 8,
  500: 13,
  502: 14,
  503: 14,
  504: 4,
};
const ERROR_INFO_URL = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST_URL = 'type.googleapis.com/google.rpc.BadRequest';
/** ErrorInfo.domain: the Pharos error code sits in ErrorInfo.reason, as docs/errors.md lists it. */
export const ERROR_DOMAIN = 'pharos';

/**
 * The success answer (docs/specification.md, "Full Success" / "Partial Success"): an
 * ExportLogsServiceResponse in the request's encoding, `partial_success` set only when something was
 * rejected (or a warning is worth saying).
 */
export function exportLogsResponse(
  encoding: OtlpEncoding,
  partial?: { rejected: number; message: string },
): Buffer | string {
  if (encoding === 'json') {
    return JSON.stringify(
      partial
        ? { partialSuccess: { rejectedLogRecords: String(partial.rejected), errorMessage: partial.message } }
        : {},
    );
  }
  const message = partial
    ? { partialSuccess: { rejectedLogRecords: partial.rejected, errorMessage: partial.message } }
    : {};
  return Buffer.from(
    OtlpTypes.ExportLogsServiceResponse.encode(OtlpTypes.ExportLogsServiceResponse.fromObject(message)).finish(),
  );
}

/**
 * A failure as OTLP/HTTP answers it ("Failures"): a google.rpc.Status in the request's encoding, with an
 * ErrorInfo detail carrying the Pharos error code, and a BadRequest listing field violations for 400s. In
 * JSON it also carries Pharos's own `error: {code, message}`.
 */
export function statusBody(encoding: OtlpEncoding, status: number, body: ErrorBody): Buffer | string {
  const code = GRPC_CODE[status] ?? (status >= 500 ? 13 : 3);
  const message = `${body.error.code}: ${body.error.message}`;
  const violations = (body.error.details ?? []).map((d) => ({ field: d.path ?? '', description: d.message }));
  if (encoding === 'json') {
    const details: unknown[] = [{ '@type': ERROR_INFO_URL, reason: body.error.code, domain: ERROR_DOMAIN }];
    if (violations.length > 0) details.push({ '@type': BAD_REQUEST_URL, fieldViolations: violations });
    // `error` beside the Status fields: Pharos's error body for readers that look for it (every other JSON
    // answer of Pharos has it); Status readers ignore it (OTLP clients act on the HTTP status).
    return JSON.stringify({ code, message, details, error: body.error });
  }
  const details = [
    {
      typeUrl: ERROR_INFO_URL,
      value: OtlpTypes.ErrorInfo.encode(
        OtlpTypes.ErrorInfo.fromObject({ reason: body.error.code, domain: ERROR_DOMAIN }),
      ).finish(),
    },
  ];
  if (violations.length > 0) {
    details.push({
      typeUrl: BAD_REQUEST_URL,
      value: OtlpTypes.BadRequest.encode(OtlpTypes.BadRequest.fromObject({ fieldViolations: violations })).finish(),
    });
  }
  return Buffer.from(OtlpTypes.Status.encode(OtlpTypes.Status.fromObject({ code, message, details })).finish());
}

/** ExportTraceServiceResponse, as exportLogsResponse (`rejected_spans` instead of `rejected_log_records`). */
export function exportTracesResponse(
  encoding: OtlpEncoding,
  partial?: { rejected: number; message: string },
): Buffer | string {
  if (encoding === 'json') {
    return JSON.stringify(
      partial ? { partialSuccess: { rejectedSpans: String(partial.rejected), errorMessage: partial.message } } : {},
    );
  }
  const message = partial ? { partialSuccess: { rejectedSpans: partial.rejected, errorMessage: partial.message } } : {};
  return Buffer.from(
    OtlpTypes.ExportTraceServiceResponse.encode(OtlpTypes.ExportTraceServiceResponse.fromObject(message)).finish(),
  );
}
