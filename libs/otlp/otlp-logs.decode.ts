import { InputError, zodDetails } from '../errors/errors.ts';
import { jsonAttributes, jsonValue, logsRequestJson } from './otlp-json.ts';
import { OtlpTypes, type PbResourceLogs } from './otlp.proto.ts';
import { hex, nanosText, pbAttributes, pbValue, type OtlpAttributes, type OtlpValue } from './otlp-values.ts';

export type OtlpEncoding = 'protobuf' | 'json';

/** One OTLP log record, decoded the same way from either encoding. */
export interface OtlpLogRecord {
  /** Nanoseconds since the epoch as decimal text; '0' when the sender left it unset. */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: OtlpValue;
  attributes: OtlpAttributes;
  /** Lowercase hex; '' when unset. */
  traceId: string;
  spanId: string;
  eventName: string;
}

export interface OtlpResourceLogs {
  resource: OtlpAttributes;
  scopeLogs: { scope: { name: string; version: string }; logRecords: OtlpLogRecord[] }[];
}

/**
 * An ExportLogsServiceRequest body (already decompressed) → resource logs. Throws InputError for data
 * that cannot be decoded: OTLP answers that with 400 and the sender must not retry it.
 */
export function decodeLogsRequest(body: Buffer, encoding: OtlpEncoding): OtlpResourceLogs[] {
  return encoding === 'protobuf' ? decodeProtobuf(body) : decodeJson(body);
}

function decodeProtobuf(body: Buffer): OtlpResourceLogs[] {
  let message: { resourceLogs: PbResourceLogs[] };
  try {
    message = OtlpTypes.ExportLogsServiceRequest.decode(body) as unknown as { resourceLogs: PbResourceLogs[] };
  } catch (err) {
    // protobufjs reports truncation as "index out of range: X + Y > Z" and bad wire types by number.
    throw new InputError(`the body is not an OTLP ExportLogsServiceRequest in protobuf: ${(err as Error).message}`);
  }
  return message.resourceLogs.map((rl) => ({
    resource: pbAttributes(rl.resource?.attributes ?? []),
    scopeLogs: rl.scopeLogs.map((sl) => ({
      scope: { name: sl.scope?.name ?? '', version: sl.scope?.version ?? '' },
      logRecords: sl.logRecords.map((r) => ({
        timeUnixNano: nanosText(r.timeUnixNano),
        observedTimeUnixNano: nanosText(r.observedTimeUnixNano),
        severityNumber: r.severityNumber,
        severityText: r.severityText,
        body: pbValue(r.body),
        attributes: pbAttributes(r.attributes),
        traceId: hex(r.traceId),
        spanId: hex(r.spanId),
        eventName: r.eventName,
      })),
    })),
  }));
}

function decodeJson(body: Buffer): OtlpResourceLogs[] {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new InputError(`the body is not JSON: ${(err as Error).message}`);
  }
  const parsed = logsRequestJson.safeParse(value);
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues).slice(0, 20);
    throw new InputError(
      `the body is not an OTLP/JSON ExportLogsServiceRequest: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return (parsed.data.resourceLogs ?? []).map((rl) => ({
    resource: jsonAttributes(rl.resource?.attributes),
    scopeLogs: (rl.scopeLogs ?? []).map((sl) => ({
      scope: { name: sl.scope?.name ?? '', version: sl.scope?.version ?? '' },
      logRecords: (sl.logRecords ?? []).map((r) => ({
        timeUnixNano: String(r.timeUnixNano ?? '0'),
        observedTimeUnixNano: String(r.observedTimeUnixNano ?? '0'),
        severityNumber: r.severityNumber ?? 0,
        severityText: r.severityText ?? '',
        body: jsonValue(r.body),
        attributes: jsonAttributes(r.attributes),
        traceId: (r.traceId ?? '').toLowerCase(),
        spanId: (r.spanId ?? '').toLowerCase(),
        eventName: r.eventName ?? '',
      })),
    })),
  }));
}

/** Records in a decoded request, for partial-success counts. */
export const countLogRecords = (batch: readonly OtlpResourceLogs[]): number =>
  batch.reduce((n, rl) => n + rl.scopeLogs.reduce((m, sl) => m + sl.logRecords.length, 0), 0);
