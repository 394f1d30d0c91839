import { uncompress } from 'snappyjs';
import { z } from 'zod';
import { InputError, PharosError, zodDetails } from '../errors/errors.ts';
import { parseLabels } from './loki-labels.ts';
import { PushRequest, type PbPushRequest } from './loki-push.proto.ts';

export interface LokiEntry {
  /** Nanoseconds since the epoch, decimal text. */
  nanos: string;
  line: string;
  metadata: Record<string, string>;
}
export interface LokiStream {
  labels: Record<string, string>;
  entries: LokiEntry[];
}

/**
 * Loki's JSON push body (https://grafana.com/docs/loki/latest/reference/loki-http-api/#ingest-logs):
 * `values` are `[ "<unix epoch in nanoseconds>", "<log line>", {structured metadata}? ]`.
 */
const jsonPush = z.object({
  streams: z.array(
    z.object({
      stream: z.record(z.string(), z.string()).default({}),
      values: z.array(
        z.union([
          z.tuple([z.string().regex(/^\d{1,19}$/, 'epoch nanoseconds as a decimal string'), z.string()]),
          z.tuple([z.string().regex(/^\d{1,19}$/), z.string(), z.record(z.string(), z.string())]),
        ]),
      ),
    }),
  ),
});

export function decodeLokiJson(body: Buffer): LokiStream[] {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new PharosError('PHAROS_ERR_BAD_JSON', `the body is not JSON: ${(err as Error).message}`);
  }
  const parsed = jsonPush.safeParse(value);
  if (!parsed.success) {
    const details = zodDetails(parsed.error.issues).slice(0, 20);
    throw new InputError(
      `the body is not a Loki push request: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  return parsed.data.streams.map((s) => ({
    labels: s.stream,
    entries: s.values.map((v) => ({ nanos: v[0], line: v[1], metadata: v[2] ?? {} })),
  }));
}

/** A snappy-compressed (block format) protobuf PushRequest, as Promtail and Alloy send it. */
export function decodeLokiProtobuf(body: Buffer, maxBytes: number): LokiStream[] {
  let raw: Buffer;
  try {
    raw = uncompress(body, maxBytes);
  } catch (err) {
    const message = (err as Error).message;
    if (/too big/.test(message))
      throw new PharosError(
        'PHAROS_ERR_PAYLOAD_TOO_LARGE',
        `the snappy-decoded body is over ${maxBytes} bytes (server.bodyLimitBytes)`,
      );
    throw new InputError(`the body is not snappy-compressed (Loki's protobuf push is snappy block format): ${message}`);
  }
  let request: PbPushRequest;
  try {
    request = PushRequest.decode(raw) as unknown as PbPushRequest;
  } catch (err) {
    throw new InputError(`the body is not a Loki PushRequest in protobuf: ${(err as Error).message}`);
  }
  return request.streams.map((s) => ({
    labels: parseLabels(s.labels),
    entries: s.entries.map((e) => ({
      nanos: timestampNanos(e.timestamp),
      line: e.line,
      metadata: Object.fromEntries(e.structuredMetadata.map((p) => [p.name, p.value])),
    })),
  }));
}

function timestampNanos(ts: { seconds: number | { toString(): string }; nanos: number } | null | undefined): string {
  if (!ts) return '0';
  const seconds = BigInt(ts.seconds.toString());
  return String(seconds * 1_000_000_000n + BigInt(ts.nanos));
}
