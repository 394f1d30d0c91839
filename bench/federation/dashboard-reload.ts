import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURE_END, FIXTURE_START } from '../../test/fixtures/prometheus/generate.ts';
import type { PharosProcess } from './pharos-process.ts';
import { cpuNs } from '../proc-stats.ts';
import { median, ms, timed } from './stats.ts';

const BUILT_INS = ['cluster-overview', 'namespace', 'node', 'workload', 'events', 'audit'];
/**
 * Built-ins whose panels read the record store (logs/events/audit targets), which the federation cache does not hold.
 */
const STORE_READERS = new Set(['events', 'audit']);
const IMPORTED = {
  file: 'grafana_kubernetes-mixin_k8s-resources-cluster.json',
  id: 'efa86fd1d0c121a26444b636a3f509a8',
  vars: '&var-cluster=east',
};

/**
 * A dashboard reload through Pharos with the query frontend on: every panel rendered (GET
 * /v1/dashboards/:id/render), cold (a window no earlier round used: its grid is new to the cache) and then warm
 * (the same window again), for the six built-in dashboards and an imported Grafana one. Template variables and
 * the "no data" explanation ask label values, which the frontend's metadata cache keeps (a window in the past).
 */
export async function dashboardReload(pharos: PharosProcess, sharedData: string, rounds: number): Promise<number> {
  const imported = await fetch(`${pharos.url}/v1/dashboards/import?overwrite=true`, {
    method: 'POST',
    headers: { ...pharos.auth, 'content-type': 'text/plain' },
    body: readFileSync(join(sharedData, 'dashboards', IMPORTED.file), 'utf8'),
  });
  if (!imported.ok) throw new Error(`import of ${IMPORTED.file}: HTTP ${imported.status} ${await imported.text()}`);
  const dashboards = [...BUILT_INS.map((id) => ({ id, vars: '' })), { id: IMPORTED.id, vars: IMPORTED.vars }];
  // Each (dashboard, round) shifts the window by seconds of its own: a new grid phase, so nothing of it is in
  // the cache yet (dashboards share queries).
  // Pharos's own CPU time per render (every thread of its process) beside the clock: on a loaded machine the
  // clock also counts the time other processes held the cores.
  let lastCpuMs = 0;
  const render = async (d: { id: string; vars: string }, shift: number) => {
    const before = cpuNs(pharos.pid);
    const elapsed = await timed(
      `${pharos.url}/v1/dashboards/${d.id}/render?from=${(FIXTURE_START + 1800 + shift) * 1000}&to=${(FIXTURE_END - 60 + shift) * 1000}${d.vars}`,
      { headers: pharos.auth },
    );
    lastCpuMs = (cpuNs(pharos.pid) - before) / 1e6;
    return elapsed;
  };
  console.log(
    `\ndashboard reload, frontend on (in-process LRU): ${rounds} rounds, cold = a window new to the cache, warm = the same window again (p50 ms)`,
  );
  console.log('dashboard | cold | warm | cold/warm | Pharos CPU ms cold | warm | cold/warm');
  const totals = { cold: 0, warm: 0 };
  const cpuTotals = { cold: 0, warm: 0 };
  const federated = { cold: 0, warm: 0 };
  for (const [i, d] of dashboards.entries()) {
    await render(d, i * 100); // the process's own warm-up (JIT, SQLite), not counted
    const cold: number[] = [];
    const warm: number[] = [];
    const cpu = { cold: [] as number[], warm: [] as number[] };
    for (let r = 1; r <= rounds; r++) {
      cold.push(await render(d, i * 100 + r));
      cpu.cold.push(lastCpuMs);
      warm.push(await render(d, i * 100 + r));
      cpu.warm.push(lastCpuMs);
    }
    totals.cold += median(cold);
    totals.warm += median(warm);
    cpuTotals.cold += median(cpu.cold);
    cpuTotals.warm += median(cpu.warm);
    if (!STORE_READERS.has(d.id)) {
      federated.cold += median(cold);
      federated.warm += median(warm);
    }
    console.log(
      `${d.id} | ${ms(median(cold))} | ${ms(median(warm))} | ${(median(cold) / median(warm)).toFixed(1)}x | ${ms(median(cpu.cold))} | ${ms(median(cpu.warm))} | ${(median(cpu.cold) / median(cpu.warm)).toFixed(1)}x`,
    );
  }
  // The reload as a user waits for it: every dashboard once. events and audit read the store, not the
  // federation, so the cache does not change them; they are in the sum as they are in the reload.
  const ratio = totals.cold / totals.warm;
  console.log(
    `dashboard reload, all ${dashboards.length} dashboards: cold ${ms(totals.cold)} ms, warm ${ms(totals.warm)} ms: warm ${ratio.toFixed(1)}x faster (goal ≥ 10x)`,
  );
  console.log(
    `  Pharos's own CPU time for the reload: cold ${ms(cpuTotals.cold)} ms, warm ${ms(cpuTotals.warm)} ms: warm ${(cpuTotals.cold / cpuTotals.warm).toFixed(1)}x less`,
  );
  // Shown beside it, not instead of it: what the frontend alone does for the dashboards that read Prometheus.
  const n = dashboards.length - STORE_READERS.size;
  console.log(
    `  of which the ${n} that read Prometheus only: cold ${ms(federated.cold)} ms, warm ${ms(federated.warm)} ms: warm ${(federated.cold / federated.warm).toFixed(1)}x faster`,
  );
  return ratio;
}
