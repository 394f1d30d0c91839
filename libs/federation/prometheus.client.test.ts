import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../errors/errors.ts';
import type { CompactData } from './compact-series.ts';
import { ClusterUnavailableError, HttpClusterClient, type ClusterConfig } from './prometheus.client.ts';

const servers: http.Server[] = [];

/** A member that writes `parts` one at a time (each its own socket write), then ends or drops the connection. */
async function member(parts: string[], opts: { status?: number; drop?: boolean } = {}): Promise<ClusterConfig> {
  const server = http.createServer(async (_req, res) => {
    res.writeHead(opts.status ?? 200, { 'content-type': 'application/json' });
    for (const p of parts) {
      res.write(p);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (opts.drop) res.destroy();
    else res.end();
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { name: 'east', prometheus: { url, replicas: [], replicaLabel: 'replica', timeoutMs: 5000 } };
}

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const ask = (cluster: ClusterConfig) =>
  new HttpClusterClient().call(
    { cluster, path: 'query_range', params: new URLSearchParams({ query: 'up', start: '1', end: '2', step: '1' }) },
    AbortSignal.timeout(5000),
  );

const ANSWER =
  '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up"},"values":[[1,"1"],[2,"NaN"]]}]},"warnings":["w"]}';

describe('HttpClusterClient, query answers decoded as they arrive', () => {
  it('gives the series with their points in compact arrays, however the member cuts its writes', async () => {
    const a = await ask(await member([ANSWER.slice(0, 97), ANSWER.slice(97, 101), ANSWER.slice(101)]));
    const data = a.data as CompactData;
    expect(a.warnings).toEqual(['w']);
    expect(data.resultType).toBe('matrix');
    expect(data.result[0]?.metric).toEqual({ __name__: 'up' });
    expect([...(data.result[0]?.t ?? [])]).toEqual([1, 2]);
    expect([...(data.result[0]?.v ?? [])]).toEqual([1, NaN]);
  });

  it('fails the call, never a partial answer, when the answer stops in the middle or is malformed', async () => {
    await expect(ask(await member([ANSWER.slice(0, 90)], { drop: true }))).rejects.toThrow(ClusterUnavailableError);
    await expect(ask(await member([ANSWER.slice(0, 90)]))).rejects.toThrow(
      /in JSON at position 90|Unexpected end of JSON input/,
    );
    await expect(ask(await member([ANSWER.replace('[2,"NaN"]', '[2,NaN]')]))).rejects.toThrow(ClusterUnavailableError);
    await expect(ask(await member([ANSWER.replace('[2,"NaN"]', '[2]')]))).rejects.toThrow(/\[time, "value"\]/);
  });

  it("reads a member's error answer as before: bad_data is the query's error", async () => {
    const body = '{"status":"error","errorType":"bad_data","error":"parse error: unexpected \\"}\\""}';
    const err = await ask(await member([body.slice(0, 30), body.slice(30)], { status: 400 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe('cluster "east": parse error: unexpected "}"');
  });
});
