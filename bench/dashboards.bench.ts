// npm run bench -- dashboards
// Render latency of the built-in cluster overview and of an imported kubernetes-mixin dashboard over the
// fixture Prometheus servers (engines must run: npm run stack -- up), against a baseline measured in the
// same run: the dashboard's slowest-looking single query sent straight to the federation.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getFederation } from '../libs/runtime/federation.resource.ts';
import { FIXTURE_END, FIXTURE_START } from '../test/fixtures/prometheus/generate.ts';
import { AUTH, repoRoot, startQueryService } from '../test/integration/dashboards/harness.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 20);
const window = `from=${FIXTURE_START}&to=${FIXTURE_END}`;

function summary(label: string, ms: number[]): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(
    `${label.padEnd(58)} n=${ms.length}  median ${at(0.5)} ms  p95 ${at(0.95)} ms  max ${sorted.at(-1)!.toFixed(1)} ms`,
  );
}

async function time(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

const h = await startQueryService('sqlite');
try {
  const federation = await getFederation(h.ctx);
  const baseline: number[] = [];
  const overview: number[] = [];
  const mixin: number[] = [];

  const shared = resolve(repoRoot, '../shared/data/dashboards');
  const files = readdirSync(shared, { recursive: true })
    .map(String)
    .filter((f) => statSync(join(shared, f)).isFile());
  const importMs = await time(async () => {
    for (const f of files) {
      await h.app.inject({
        method: 'POST',
        url: '/v1/dashboards/import?overwrite=true',
        headers: { ...AUTH, 'content-type': 'text/plain' },
        payload: readFileSync(join(shared, f), 'utf8'),
      });
    }
  });
  console.log(`import of ${files.length} shared files (13 dashboards, 2 CRDs refused): ${importMs.toFixed(0)} ms`);

  const render = async (id: string, query: string) => {
    const res = await h.app.inject({ url: `/v1/dashboards/${id}/render?${window}${query}`, headers: AUTH });
    if (res.statusCode !== 200) throw new Error(`${id}: ${res.statusCode} ${res.body}`);
  };
  for (let i = 0; i < 2; i++) await render('cluster-overview', ''); // warm-up
  for (let i = 0; i < ROUNDS; i++) {
    baseline.push(
      await time(async () => {
        await federation.range({
          query: 'sum by (cluster) (rate(container_cpu_usage_seconds_total[1m15s]))',
          start: FIXTURE_START,
          end: FIXTURE_END,
          step: 60,
        });
      }),
    );
    overview.push(await time(() => render('cluster-overview', '')));
    mixin.push(await time(() => render('efa86fd1d0c121a26444b636a3f509a8', '&var-cluster=east')));
  }
  summary('baseline: one federated range query (3 clusters, 181 steps)', baseline);
  summary('render cluster-overview (11 panels, 10 PromQL, 1 events)', overview);
  summary('render imported k8s-resources-cluster (22 panels, all explained)', mixin);
} finally {
  await h.close();
}
