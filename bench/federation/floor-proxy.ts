// The least a federating server in front of the members does, as a process of its own: one node:http server
// that takes a Prometheus range query, sends Pharos's leaf queries to the members in parallel (the same
// node:http client and kept-alive connections as Pharos), parses each answer, puts the answers' series in one
// list and writes it back. No auth, no framework, no evaluation. Its time over the bare fan-out is the cost of
// one more HTTP hop on this machine, which no server in front of the members can avoid: the floor under
// Pharos / bare fan-out (issue 21). Started by the federation and federation-overhead benches (BENCH_FLOOR=0: not).
// Usage: node --import tsx bench/federation/floor-proxy.ts <port> <cluster=url>...
import http from 'node:http';
import { httpRequest } from '../../libs/federation/http-transport.ts';
import { parsePromQL } from '../../libs/promql/parser.ts';
import { leafQueryFor, planQuery } from '../../libs/promql/planner.ts';

const [port, ...members] = process.argv.slice(2);
const urlOf = new Map(members.map((m) => m.split('=', 2) as [string, string]));
const clusters = [...urlOf.keys()];

async function answer(form: URLSearchParams): Promise<string> {
  const plan = planQuery(parsePromQL(form.get('query') ?? ''), clusters);
  const leafForm = (q: string) =>
    new URLSearchParams({
      query: q,
      start: form.get('start') ?? '',
      end: form.get('end') ?? '',
      step: form.get('step') ?? '',
    }).toString();
  const replies = await Promise.all(
    plan.leaves.flatMap((l) =>
      l.clusters.map(async (c) => {
        const res = await httpRequest({
          url: `${urlOf.get(c)}/api/v1/query_range`,
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-encoding': 'identity' },
          body: leafForm(leafQueryFor(l, c)),
          maxBytes: 2 ** 30,
          signal: AbortSignal.timeout(600_000),
        });
        const data = (JSON.parse(res.body) as { data: { result: { metric: Record<string, string> }[] } }).data;
        return data.result.map((s) => ({ ...s, metric: { ...s.metric, cluster: c } }));
      }),
    ),
  );
  return JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: replies.flat() } });
}

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))).then(
        (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
  })
  .listen(Number(port), '127.0.0.1');
