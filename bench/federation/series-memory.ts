import type { PharosProcess } from './pharos-process.ts';
import { memoryOf } from './processes.ts';
import { BIG, BIG_WINDOW } from './prometheus-sets.ts';
import { ms, timed } from './stats.ts';
import type { ThanosQuery } from './thanos.ts';

/**
 * `/series` over the 100,002-series set, asked once of each freshly started process (so its peak resident
 * memory, VmHWM, is what the call made it): Pharos's query service and Thanos Query.
 */
export async function seriesMemory(pharos: PharosProcess, thanos: ThanosQuery): Promise<void> {
  const body = () =>
    new URLSearchParams({ 'match[]': 'bench_series', start: String(BIG_WINDOW.start), end: String(BIG_WINDOW.end) });
  const init = (headers: Record<string, string>): RequestInit => ({
    method: 'POST',
    body: body(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  const total = BIG.seriesPerServer * BIG.clusters.length;
  console.log(
    `\n/series over ${total} series (${BIG.clusters.length} clusters × ${BIG.seriesPerServer}), one call to each fresh process`,
  );
  console.log('process | time ms | peak RSS before → after (MiB) | RSS after');
  const row = async (name: string, pid: number | undefined, call: () => Promise<number>) => {
    const before = memoryOf(pid);
    const t = await call();
    const after = memoryOf(pid);
    console.log(
      `${name} | ${ms(t)} | ${before.peakMb.toFixed(0)} → ${after.peakMb.toFixed(0)} | ${after.rssMb.toFixed(0)}`,
    );
    return after.peakMb;
  };
  const p = await row('Pharos', pharos.pid, () => timed(`${pharos.url}/prometheus/api/v1/series`, init(pharos.auth)));
  const t = await row('Thanos Query', thanos.pid, () => timed(`${thanos.url}/api/v1/series`, init({})));
  console.log(`/series peak RSS, Pharos / Thanos Query: ${(p / t).toFixed(2)}x`);
}
