// A loopback HTTP proxy in front of one real Prometheus that records every request it is sent (path and
// parameters, from the query string and a form body), so a test can show what a member Prometheus did and
// did not receive. Requests `refuse` picks are answered 400 here and never forwarded: a regression then fails
// the test instead of costing the shared Prometheus what the query would.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  forwarded: boolean;
  /** Bytes of the member's answer, once forwarded and answered. */
  responseBytes?: number;
}

export interface RecordingProxy {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingProxy(
  target: string,
  refuse: (r: RecordedRequest) => boolean,
): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://proxy.invalid');
      const params = Object.fromEntries([
        ...url.searchParams,
        ...new URLSearchParams(req.headers['content-type']?.includes('form') ? body : ''),
      ]);
      const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, params, forwarded: false };
      requests.push(rec);
      if (refuse(rec)) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            status: 'error',
            errorType: 'bad_data',
            error: 'refused by the recording proxy: this query must never reach a member',
          }),
        );
        return;
      }
      rec.forwarded = true;
      const headers: Record<string, string> = {};
      for (const h of ['content-type', 'accept', 'authorization'])
        if (typeof req.headers[h] === 'string') headers[h] = req.headers[h] as string;
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
      })
        .then(async (upstream) => {
          const text = await upstream.text();
          rec.responseBytes = Buffer.byteLength(text);
          res
            .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
            .end(text);
        })
        .catch((err: unknown) => res.writeHead(502).end(String(err)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
