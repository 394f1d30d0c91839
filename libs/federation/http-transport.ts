import http from 'node:http';
import https from 'node:https';

/**
 * One HTTP request to a member Prometheus, its answer read whole up to a byte bound, over node:http with
 * keep-alive connections. Not fetch (issue 21, profiled on a small federated range query): fetch makes every
 * request body a web stream that undici writes in pieces, one write per piece (headers, body), and each write
 * on a loopback or LAN connection wakes the member at once; its wasm HTTP parser and web-stream reader cost
 * CPU per answer too. node:http sends the headers and a body given to end() in one write and parses with the
 * native llhttp. Together they were a quarter of Pharos's CPU time per query on small answers.
 */
export interface HttpCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** The answer's body is read up to this many bytes; over it the request is dropped (BodyTooLargeError). */
  maxBytes: number;
  signal: AbortSignal;
  /**
   * Takes the body's chunks as they arrive instead of keeping them (the reply's `body` is then empty): a decoder
   * that builds the answer incrementally. What it throws fails the request.
   */
  consume?: (chunk: Buffer) => void;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** The answer was longer than the call's maxBytes: the connection is closed, nothing more is read. */
export class BodyTooLargeError extends Error {}

const agents = {
  http: new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
};

/**
 * The request, sent again once on a new connection when a kept-alive one turned out closed by the server before
 * it answered (Node's documented race of idle connections, http.ClientRequest#reusedSocket): the member never
 * saw the first one.
 */
export async function httpRequest(call: HttpCall): Promise<HttpReply> {
  try {
    return await send(call);
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { reused?: boolean };
    if (!e.reused || call.signal.aborted || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE')) throw err;
    return send(call);
  }
}

function send(call: HttpCall): Promise<HttpReply> {
  const url = new URL(call.url);
  const tls = url.protocol === 'https:';
  const body = call.body === undefined ? undefined : Buffer.from(call.body, 'utf8');
  const headers = body ? { ...call.headers, 'content-length': String(body.byteLength) } : call.headers;
  return new Promise<HttpReply>((resolve, reject) => {
    // Sent again (httpRequest) only when nothing of an answer came: a consumer must not see a body twice.
    let answered = false;
    const req = (tls ? https : http).request(
      url,
      { method: call.method, headers, agent: tls ? agents.https : agents.http, signal: call.signal },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.byteLength;
          if (total > call.maxBytes) {
            reject(new BodyTooLargeError(`more than ${call.maxBytes} bytes`));
            req.destroy();
            return;
          }
          if (!call.consume) {
            chunks.push(chunk);
            return;
          }
          try {
            call.consume(chunk);
          } catch (err) {
            reject(err as Error);
            req.destroy();
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete) reject(new Error('the answer was cut short'));
        });
      },
    );
    req.on('error', (err) => reject(Object.assign(err, { reused: req.reusedSocket && !answered })));
    req.end(body);
  });
}
