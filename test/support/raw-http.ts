import { connect } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** From connecting until the server closed the connection. */
  elapsedMs: number;
}

export interface RawRequest {
  port: number;
  /** Written in order, `gapMs` apart: a request can stop half-way, as a slow or stalled client does. */
  chunks: readonly string[];
  gapMs?: number;
  /** Gives up (and fails) after this long without the server closing the connection. */
  timeoutMs?: number;
}

/**
 * Speaks HTTP/1.1 over a plain socket, for what `app.inject` cannot do: stalled headers or bodies, header
 * blocks over the server's limit, bytes that are not HTTP. Resolves when the server closes the connection.
 */
export function rawHttp(req: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(req.port, '127.0.0.1');
    const received: Buffer[] = [];
    const timers: NodeJS.Timeout[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `no close within ${req.timeoutMs ?? 30_000} ms; got ${Buffer.concat(received).toString('latin1').slice(0, 200)}`,
        ),
      );
    }, req.timeoutMs ?? 30_000);
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      for (const t of timers) clearTimeout(t);
      resolve({ ...parseAnswer(Buffer.concat(received).toString('utf8')), elapsedMs: Date.now() - started });
    });
    socket.on('connect', () => {
      req.chunks.forEach((chunk, i) => {
        timers.push(setTimeout(() => socket.writable && socket.write(chunk), i * (req.gapMs ?? 0)));
      });
    });
  });
}

function parseAnswer(text: string): Omit<RawAnswer, 'elapsedMs'> {
  const end = text.indexOf('\r\n\r\n');
  if (!text.startsWith('HTTP/') || end < 0) return { status: 0, headers: {}, body: text };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(end + 4) };
}
