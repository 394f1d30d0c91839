import { writeFileSync } from 'node:fs';
import type { PharosProcess } from './pharos-process.ts';
import { memoryOf } from './processes.ts';
import { ms } from './stats.ts';
import type { ThanosQuery } from './thanos.ts';

export interface QueryMemoryRun {
  window: { start: number; end: number; step: number };
  queries: readonly string[];
  pharos: PharosProcess;
  thanos: ThanosQuery;
  /** Another checkout's Pharos (BENCH_BASELINE_TREE): its figures beside, and its answers compared byte for byte. */
  baseline?: PharosProcess;
}

/**
 * Peak resident memory of each process for one query (issue 21, Deliver 3): before each call the process's
 * high-water mark is reset to its current RSS (`echo 5 > /proc/PID/clear_refs`, proc(5), Linux ≥ 4.0), so VmHWM
 * after it is what that call made it; one call at a time, the others idle. With a baseline, Pharos's and the
 * baseline's answer bodies are compared byte for byte (the streaming decode must not change an answer).
 */
export async function queryMemory(r: QueryMemoryRun): Promise<void> {
  const form = (q: string) =>
    new URLSearchParams({
      query: q,
      start: String(r.window.start),
      end: String(r.window.end),
      step: String(r.window.step),
    });
  const call = async (url: string, q: string, headers: Record<string, string>) => {
    const t0 = performance.now();
    const res = await fetch(url, {
      method: 'POST',
      body: form(q),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
    const body = Buffer.from(await res.arrayBuffer());
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${body.toString('utf8', 0, 300)}`);
    return { ms: performance.now() - t0, body };
  };
  const measure = async (pid: number | undefined, fn: () => ReturnType<typeof call>) => {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    const before = memoryOf(pid).rssMb;
    const out = await fn();
    return { ...out, before, peak: memoryOf(pid).peakMb };
  };
  const noStore = { 'cache-control': 'no-store' };
  const { baseline } = r;
  console.log('\nPeak RSS per query (MiB: RSS before → peak during the one call; time ms)');
  console.log(
    `query | Pharos | ${baseline ? 'baseline Pharos | ' : ''}Thanos Query | Pharos / Thanos peak${baseline ? ' | Pharos / baseline peak | same bytes as baseline' : ''}`,
  );
  for (const q of r.queries) {
    const p = await measure(r.pharos.pid, () =>
      call(`${r.pharos.url}/prometheus/api/v1/query_range`, q, { ...r.pharos.auth, ...noStore }),
    );
    const b = baseline
      ? await measure(baseline.pid, () =>
          call(`${baseline.url}/prometheus/api/v1/query_range`, q, { ...baseline.auth, ...noStore }),
        )
      : undefined;
    const t = await measure(r.thanos.pid, () => call(`${r.thanos.url}/api/v1/query_range`, q, {}));
    const cell = (m: { before: number; peak: number; ms: number }) =>
      `${m.before.toFixed(0)} → ${m.peak.toFixed(0)} (${ms(m.ms)} ms)`;
    console.log(
      [
        q,
        cell(p),
        ...(b ? [cell(b)] : []),
        cell(t),
        `${(p.peak / t.peak).toFixed(2)}x`,
        ...(b
          ? [
              `${(p.peak / b.peak).toFixed(2)}x`,
              p.body.equals(b.body) ? 'yes' : `NO (${p.body.length} vs ${b.body.length} bytes)`,
            ]
          : []),
      ].join(' | '),
    );
  }
}
