import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors/errors.ts';

/** The server limits a client error can be about, for messages that name the key to change. */
export interface HttpLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  maxHeaderBytes: number;
}

/**
 * What Node's HTTP server reports through `clientError` before a request reaches Fastify: a request or
 * header timeout (ERR_HTTP_REQUEST_TIMEOUT, from server.requestTimeout / headersTimeout), a header block
 * over maxHeaderSize (HPE_HEADER_OVERFLOW), or a request llhttp cannot parse (HPE_*). Mapped to the
 * catalogue so these answers have the same body as every other error.
 */
export function clientErrorAnswer(
  err: NodeJS.ErrnoException,
  limits: HttpLimits,
  headersReceived: boolean,
): { code: ErrorCode; message: string } {
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return headersReceived
      ? {
          code: 'PHAROS_ERR_REQUEST_TIMEOUT',
          message: `The request body did not arrive within ${limits.requestTimeoutMs} ms (server.requestTimeoutMs); the connection is closed`,
        }
      : {
          code: 'PHAROS_ERR_REQUEST_TIMEOUT',
          message: `The request headers did not arrive within ${limits.headersTimeoutMs} ms (server.headersTimeoutMs); the connection is closed`,
        };
  }
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    return {
      code: 'PHAROS_ERR_HEADERS_TOO_LARGE',
      message: `The request line and headers are over ${limits.maxHeaderBytes} bytes (server.maxHeaderBytes); send long queries in a POST body`,
    };
  }
  const reason = (err as { reason?: unknown }).reason;
  return {
    code: 'PHAROS_ERR_VALIDATION',
    message: `Malformed HTTP request: ${typeof reason === 'string' && reason ? reason : err.message}`,
  };
}

/**
 * The server's `clientError` listener (Fastify's clientErrorHandler option): the listener must answer and
 * close the socket itself. As Node's own default listener
 * (lib/_http_server.js socketOnError), it writes nothing once a response has begun on the socket, and
 * nothing for a connection the client already reset.
 */
export function clientErrorHandler(
  limits: HttpLimits,
  log: FastifyBaseLogger,
  answered: (status: number) => void = () => undefined,
) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    // The response of the request being read, if Node dispatched it (its headers were complete).
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    if (!socket.writable || pending?.headersSent) {
      socket.destroy(err);
      return;
    }
    const { code, message } = clientErrorAnswer(err, limits, Boolean(pending));
    const status = ERROR_CATALOGUE[code].status;
    log.info({ code, status, err: err.code }, 'client error');
    answered(status);
    const body = JSON.stringify({ error: { code, message } });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // Closed once written, whether or not the client ever reads or closes its side.
    socket.destroySoon();
  };
}
