import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import { InputError, PharosError } from '../errors/errors.ts';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * A request body after its Content-Encoding (RFC 9110 §8.4): gzip and deflate, as agents send them
 * (the OpenTelemetry Collector gzips by default, Fluent Bit's `compress gzip`, Vector's `compression`).
 * The decoded size is bounded too, so a small gzip bomb cannot fill the memory: over `maxBytes` is 413.
 */
export async function decodeContentEncoding(
  raw: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return raw;
  const inflater =
    encoding === 'gzip' || encoding === 'x-gzip' ? gunzipAsync : encoding === 'deflate' ? inflateAsync : undefined;
  if (!inflater)
    throw new PharosError(
      'PHAROS_ERR_UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding "${encoding}" is not supported; send gzip, deflate or none`,
    );
  try {
    return await inflater(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw new PharosError(
        'PHAROS_ERR_PAYLOAD_TOO_LARGE',
        `the ${encoding}-decoded body is over ${maxBytes} bytes (server.bodyLimitBytes)`,
      );
    throw new InputError(`the body is not valid ${encoding}: ${(err as Error).message}`);
  }
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export const mediaType = (header: string | undefined): string => (header ?? '').split(';', 1)[0]!.trim().toLowerCase();
