// npm run bench -- federation-engine
// Pharos's own CPU time per federated query without the network (issue 21, Deliver 1): the twelve small
// dashboard queries of `npm run bench -- federation` through the engine (parse, plan, fan-out, merge, evaluate)
// with a client that replays the members' recorded answers (each one decoded from its text again as the checkout's
// own client decodes an answer off the wire: its decoder in 64 KiB chunks, or JSON.parse), then the answer encoded as the HTTP API sends it. The answers are recorded once from the
// benchmark's east/west/north servers. BENCH_ROUNDS (default 30) sets the rounds; BENCH_BASELINE_TREE=<dir>, a
// checkout of another commit, runs that checkout's engine on the same recordings, interleaved: before/after.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { federationConfigSchema } from '../libs/config/sections/federation.ts';
import type { FederatedQueryService } from '../libs/federation/federation.types.ts';
import type { ApiAnswer, ClusterCall, ClusterClient, ClusterConfig } from '../libs/federation/prometheus.client.ts';
import { BenchProcesses } from './federation/processes.ts';
import { smallSet } from './federation/prometheus-sets.ts';
import { SMALL_QUERIES, SMALL_WINDOW } from './federation/small-queries.ts';
import { median, ms } from './federation/stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const ROOT = process.env.BENCH_DIR ?? join(tmpdir(), 'pharos-bench-federation');
const BASELINE = process.env.BENCH_BASELINE_TREE;

/** How a checkout's HTTP client decodes an answer's text (its streaming decoder where it has one). */
type Decode = (req: ClusterCall, text: string) => { data: unknown; warnings?: string[] };

/** Records each call's answer text from the real member (shared by every engine), then replays it. */
class Recordings {
  private readonly texts = new Map<string, string>();

  async text(req: ClusterCall, signal: AbortSignal): Promise<string> {
    const key = `${req.cluster.name} ${req.path} ${req.params.toString()}`;
    let text = this.texts.get(key);
    if (text === undefined) {
      const res = await fetch(`${req.cluster.prometheus.url}/api/v1/${req.path}`, {
        method: 'POST',
        body: req.params,
        signal,
      });
      text = await res.text();
      this.texts.set(key, text);
    }
    return text;
  }
}

/** Answers every call from the recordings, decoded as the checkout's own client decodes an answer off the wire. */
class ReplayClient implements ClusterClient {
  constructor(
    private readonly recordings: Recordings,
    private readonly decode: Decode,
  ) {}

  async call(req: ClusterCall, signal: AbortSignal): Promise<ApiAnswer> {
    const body = this.decode(req, await this.recordings.text(req, signal));
    return { data: body.data, warnings: body.warnings ?? [] };
  }
}

/**
 * The checkout's decoder of query answers: PromAnswerDecoder (JSON.parse below its size bound, else the stream) or
 * PromAnswerStream, fed 64 KiB chunks (what node:http hands over), or JSON.parse of the whole text in a checkout
 * without either. (The list answers' EnvelopeStream is not replayed: both checkouts have it.)
 */
async function decoderOf(tree: string): Promise<Decode> {
  const parse: Decode = (_req, text) => JSON.parse(text) as ReturnType<Decode>;
  const decoderFile = join(tree, 'libs/federation/prom-answer-decoder.ts');
  const streamFile = join(tree, 'libs/federation/prom-answer-stream.ts');
  type Decoder = new () => { push(b: Buffer): void; end(): unknown };
  let Ctor: Decoder | undefined;
  if (existsSync(decoderFile))
    Ctor = ((await import(pathToFileURL(decoderFile).href)) as { PromAnswerDecoder: Decoder }).PromAnswerDecoder;
  else if (existsSync(streamFile))
    Ctor = ((await import(pathToFileURL(streamFile).href)) as { PromAnswerStream: Decoder }).PromAnswerStream;
  if (!Ctor) return parse;
  const Decoder = Ctor;
  return (req, text) => {
    // As HttpClusterClient: list answers and passed-through query answers are parsed whole.
    if ((req.path !== 'query' && req.path !== 'query_range') || req.passThrough) return parse(req, text);
    const bytes = Buffer.from(text, 'utf8');
    const s = new Decoder();
    for (let i = 0; i < bytes.length; i += 65_536) s.push(bytes.subarray(i, i + 65_536));
    return s.end() as ReturnType<Decode>;
  };
}

type EngineCtor = new (o: {
  clusters: ClusterConfig[];
  limits: ReturnType<typeof federationConfigSchema.parse>;
  client: ClusterClient;
}) => FederatedQueryService;

async function engineOf(tree: string, clusters: ClusterConfig[], client: ClusterClient) {
  const url = (p: string) => pathToFileURL(join(tree, p)).href;
  const { FederatedQuery } = (await import(url('libs/federation/federated-query.ts'))) as {
    FederatedQuery: EngineCtor;
  };
  const { federationConfigSchema: schema } = (await import(url('libs/config/sections/federation.ts'))) as {
    federationConfigSchema: typeof federationConfigSchema;
  };
  return new FederatedQuery({ clusters, limits: schema.parse({}), client });
}

const dir = join(ROOT, 'logs', 'engine');
mkdirSync(dir, { recursive: true });
const proc = new BenchProcesses(dir);
try {
  const servers = await smallSet(proc, ROOT, (m) => console.log(`[bench] ${m}`));
  const clusters: ClusterConfig[] = servers.map((s) => ({
    name: s.cluster,
    prometheus: { url: s.url, replicas: [], replicaLabel: 'replica', timeoutMs: 60_000 },
  }));
  const recordings = new Recordings();
  const replay = async (tree: string) => engineOf(tree, clusters, new ReplayClient(recordings, await decoderOf(tree)));
  const engines: [string, FederatedQueryService][] = [['this checkout', await replay('.')]];
  if (BASELINE) engines.push(['baseline', await replay(resolve(BASELINE))]);
  const signal = new AbortController().signal;
  // CPU time (user + system) rather than the clock: on a shared, loaded machine the clock also counts the time
  // other processes held the cores. Nothing here waits on anything but this process's own work.
  const once = async (fed: FederatedQueryService, query: string): Promise<number> => {
    const t0 = process.cpuUsage();
    const r = await fed.range({ query, ...SMALL_WINDOW }, signal);
    // What the HTTP API then does with it: the envelope as JSON.
    JSON.stringify({ status: 'success', data: { resultType: r.resultType, result: r.result }, clusters: r.clusters });
    const d = process.cpuUsage(t0);
    return (d.user + d.system) / 1000;
  };
  for (const [, fed] of engines) for (const q of SMALL_QUERIES) await once(fed, q); // records, warms up
  console.log(`\nengine CPU per query, replayed answers, ${ROUNDS} interleaved rounds (p50 of CPU ms)`);
  console.log(`query | ${engines.map(([n]) => n).join(' | ')}${BASELINE ? ' | this/baseline' : ''}`);
  const sums = engines.map(() => 0);
  for (const q of SMALL_QUERIES) {
    const times: number[][] = engines.map(() => []);
    for (let i = 0; i < ROUNDS; i++)
      for (let k = 0; k < engines.length; k++) {
        const j = (i + k) % engines.length;
        (times[j] as number[]).push(await once((engines[j] as [string, FederatedQueryService])[1], q));
      }
    const p50 = times.map(median);
    p50.forEach((v, j) => (sums[j] = (sums[j] as number) + v));
    const ratio = BASELINE ? ` | ${((p50[0] as number) / (p50[1] as number)).toFixed(2)}x` : '';
    console.log(`${q} | ${p50.map(ms).join(' | ')}${ratio}`);
  }
  console.log(`sum of the medians: ${engines.map(([n], j) => `${n} ${ms(sums[j] as number)} ms`).join(', ')}`);
} finally {
  await proc.stopAll();
}
