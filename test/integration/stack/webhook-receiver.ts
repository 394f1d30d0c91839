// An HTTP server inside the test process that records every request (headers and body), so tests assert on what
// a webhook sender really posted. failNext() answers with an error status; stop()/start() simulate an outage on
// the same port.
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { until } from '../../support/until.ts';

export interface ReceivedRequest {
  method: string;
  /** Path and query, e.g. "/alertmanager". */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface WebhookReceiver {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Answers the next `count` requests with `status` (and records them all the same). */
  failNext(count: number, status?: number): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

export async function startWebhookReceiver(options: { port?: number } = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  let failures = { left: 0, status: 503 };
  let port = options.port ?? 0;
  let server: http.Server | undefined;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        json: parseJson(body),
      });
      const failing = failures.left > 0;
      if (failing) failures.left--;
      res.writeHead(failing ? failures.status : 200, { 'content-type': 'application/json' });
      res.end(failing ? '{"error":"simulated failure"}' : '{"ok":true}');
    });
  };

  const start = async (): Promise<void> => {
    if (server) return;
    const next = http.createServer(handle);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (!current) return;
    current.closeAllConnections();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await start();
  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    requests,
    async waitForRequests(count, timeoutMs = 10_000) {
      await until(
        () => requests.length >= count,
        timeoutMs,
        () => `expected ${count} requests, got ${requests.length}`,
      );
      return requests;
    },
    failNext(count, status = 503) {
      failures = { left: count, status };
    },
    stop,
    start,
    close: stop,
  };
}
