import { readFileSync } from 'node:fs';
import { Client } from '@opensearch-project/opensearch';
import { ingestIntakes } from './ingest-intakes.ts';
import { cpuNs } from './proc-stats.ts';
import { stackPid } from './cpu-placement.ts';
import { normalizeLogs } from '../libs/normalize/logs.normalize.ts';
import { normalizeOtlpLogs } from '../libs/normalize/otlp-logs.normalize.ts';
import { decodeLogsRequest } from '../libs/otlp/otlp-logs.decode.ts';
import type { LogDoc } from '../libs/schemas/records.ts';
import { withAttributeTerms } from '../libs/store/opensearch/attribute-terms.ts';
import { indexTemplate } from '../libs/store/opensearch/index-templates.ts';

/**
 * What OpenSearch spends on a log document under the current logs mapping against the mapping before the
 * doc-cost cuts (test/integration/records/logs-mapping-before-doc-cost.json), in the same run: raw `_bulk` of
 * the ingest bench's OTLP and Fluent Bit documents (as the store sends them, attribute terms included), 2,000
 * per request, 3 in flight, into a fresh index of each mapping in turn (the order alternating by round), then
 * a refresh and the merges settled. Prints OpenSearch's CPU-s per 100,000 documents (all its threads, from
 * /proc) per round and the medians. Other work on the same node counts too: run it on a quiet node, or point
 * it at one of your own (BENCH_OS_URL, BENCH_OS_PID). Run: `npm run bench -- log-mapping` (BENCH_RECORDS,
 * default 100,000; BENCH_ROUNDS, default 7).
 */
const OS = process.env.BENCH_OS_URL ?? 'http://127.0.0.1:9200';
const PID = process.env.BENCH_OS_PID ? Number(process.env.BENCH_OS_PID) : stackPid('opensearch');
const RECORDS = Number(process.env.BENCH_RECORDS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const BATCH = 500;
const client = new Client({ node: OS, requestTimeout: 120_000 });
const run = `bench-mapping-${Date.now().toString(36)}`;

interface IndexBody {
  settings: object;
  mappings: object;
}
const current = (indexTemplate('logs') as { template: IndexBody }).template;
const before = JSON.parse(
  readFileSync(new URL('../test/integration/records/logs-mapping-before-doc-cost.json', import.meta.url), 'utf8'),
) as IndexBody;
const MAPPINGS: Record<string, IndexBody> = { before, current };

/** The documents each ingest bench phase stores, as bulk bodies of 2,000 (no `_index`: the URL names it). */
function bulkBodies(): Record<string, string[]> {
  const { lines, OTLP } = ingestIntakes({ records: RECORDS, batch: BATCH });
  const otlp: LogDoc[] = [];
  const fluentBit: LogDoc[] = [];
  for (let b = 0; b < Math.ceil(RECORDS / BATCH); b++) {
    const request = decodeLogsRequest(OTLP.body(b) as Buffer, 'protobuf');
    otlp.push(...normalizeOtlpLogs(request, () => ({ cluster: 'bench' }), Date.now()).logs);
    const values = lines(b).map((value, index) => ({ index, value }));
    fluentBit.push(...normalizeLogs(values, { cluster: 'bench', ingestedAt: Date.now() }).docs);
  }
  const chunked = (docs: LogDoc[]): string[] =>
    Array.from({ length: Math.ceil(docs.length / 2000) }, (_, i) =>
      docs
        .slice(i * 2000, (i + 1) * 2000)
        .map((d) => `{"index":{"_id":${JSON.stringify(d.id)}}}\n${withAttributeTerms(d, 'attributes')}\n`)
        .join(''),
    );
  return { otlp: chunked(otlp), 'fluent bit': chunked(fluentBit) };
}

async function settled(index: string): Promise<void> {
  for (;;) {
    const res = await client.indices.stats({ index, metric: 'merge' });
    const merges = (res.body as { indices: Record<string, { primaries: { merges: { current: number } } }> }).indices;
    if (merges[index]?.primaries.merges.current === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One pass: a fresh index of `mapping`, every body bulked into it; OpenSearch's CPU-s per 100,000 documents. */
async function pass(mapping: string, bodies: string[], tag: string): Promise<number> {
  const index = `${run}-${mapping}-${tag}`;
  // An explicit refresh interval: a new shard with no searches would go search-idle and skip refreshes.
  const settings = { ...(MAPPINGS[mapping]!.settings as object), 'index.refresh_interval': '1s' };
  await client.indices.create({ index, body: { settings, mappings: MAPPINGS[mapping]!.mappings } });
  await client.cluster.health({ index, wait_for_status: 'green', timeout: '30s' });
  const start = cpuNs(PID);
  let next = 0;
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      while (next < bodies.length) {
        const res = await client.bulk({ index, body: bodies[next++]!, filter_path: 'errors' });
        if ((res.body as { errors: boolean }).errors) throw new Error(`${mapping}: bulk had item errors`);
      }
    }),
  );
  await client.indices.refresh({ index });
  await settled(index);
  const seconds = (cpuNs(PID) - start) / 1e9;
  await client.indices.delete({ index });
  return (seconds * 100_000) / RECORDS;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

if (PID === undefined) throw new Error('no OpenSearch pid: start the stack (npm run stack) or set BENCH_OS_PID');
const sets = bulkBodies();
console.log(`log mapping bench: ${RECORDS} documents per pass, ${ROUNDS} rounds, OpenSearch pid ${PID} at ${OS}`);
const cpu: Record<string, number[]> = {};
try {
  // Untimed passes first: a JVM's first passes run before its JIT has compiled the indexing paths.
  for (const bodies of Object.values(sets)) for (const m of Object.keys(MAPPINGS)) await pass(m, bodies, 'w');
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? ['before', 'current'] : ['current', 'before'];
    for (const [set, bodies] of Object.entries(sets)) {
      for (const mapping of order) {
        const seconds = await pass(mapping, bodies, `${set.replace(' ', '')}${round}`);
        (cpu[`${set}, ${mapping}`] ??= []).push(seconds);
        console.log(
          `round ${round} ${set} documents, ${mapping} mapping: ${seconds.toFixed(2)} OpenSearch CPU-s per 100k`,
        );
      }
    }
  }
} finally {
  await client.indices.delete({ index: `${run}-*` }).catch(() => undefined);
  await client.close();
}
console.log('\nsummary (OpenSearch CPU-s per 100,000 documents, median of the rounds)');
for (const set of Object.keys(sets)) {
  const [b, c] = [cpu[`${set}, before`]!, cpu[`${set}, current`]!];
  // Each round's pair ran back to back: the median of their ratios is steadier than a ratio of medians.
  const paired = median(c.map((x, i) => x / (b[i] as number)));
  const lower = c.filter((x, i) => x < (b[i] as number)).length;
  console.log(
    `  ${set}: before ${median(b).toFixed(2)}, current ${median(c).toFixed(2)}; current / before per round, median ${paired.toFixed(2)} (lower in ${lower} of ${c.length} rounds)`,
  );
}
