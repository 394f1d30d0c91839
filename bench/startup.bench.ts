import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildImageLayout,
  entrypoint,
  freePort,
  runInImage,
  type ImageLayout,
  type Started,
} from '../scripts/deploy/image-layout.ts';
import { REPO_ROOT } from '../scripts/deploy/kustomize.ts';
import { procStats } from './proc-stats.ts';

/**
 * Start-up time and idle memory of the image's entrypoint with its default config (`all` on the embedded
 * default), compiled (the image now: `node --enable-source-maps services/main.js` in the image layout) against
 * the baseline measured in the same run: the entrypoint before the compiled build, `node --import tsx
 * services/main.ts` from the sources, with a cold tsx cache as in a new container (its own TMPDIR).
 * Per start: milliseconds from spawn to the first 200 from /readyz, CPU seconds to get there, and RSS after
 * BENCH_IDLE_SECONDS (default 15) idle. Rounds alternate the two (BENCH_ROUNDS, default 3); medians printed.
 * Run: npm run bench -- startup
 */

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IDLE_MS = Number(process.env.BENCH_IDLE_SECONDS ?? 15) * 1000;

interface Sample {
  readyMs: number;
  cpuToReady: number;
  idleRssMb: number;
}

interface Variant {
  name: string;
  start(env: Record<string, string>): Started;
}

function variants(layout: ImageLayout): Variant[] {
  const sources: ImageLayout = { root: REPO_ROOT, app: REPO_ROOT, path: layout.path };
  return [
    {
      name: 'before: tsx from the sources',
      start: (env) =>
        runInImage(sources, ['node', '--import', 'tsx', 'services/main.ts', 'all'], {
          ...env,
          TMPDIR: env.PHAROS_DATA_DIR!,
        }),
    },
    { name: 'after: compiled dist/, plain node', start: (env) => runInImage(layout, entrypoint('all'), env) },
  ];
}

async function measure(variant: Variant): Promise<Sample> {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-startup-'));
  const port = await freePort();
  const env = {
    PHAROS_SERVER__HOST: '127.0.0.1',
    PHAROS_SERVER__PORT: String(port),
    PHAROS_LOG__LEVEL: 'warn',
    PHAROS_DATA_DIR: dir,
    PHAROS_STORAGE__PATH: join(dir, 'pharos.db'),
    PHAROS_BUS__PATH: join(dir, 'bus.db'),
  };
  const startedAt = performance.now();
  const proc = variant.start(env);
  try {
    for (;;) {
      if (proc.child.exitCode !== null)
        throw new Error(`${variant.name} exited with ${proc.child.exitCode}:\n${proc.output()}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const readyMs = performance.now() - startedAt;
    const cpuToReady = procStats(proc.child.pid).cpu;
    await new Promise((r) => setTimeout(r, IDLE_MS));
    return { readyMs, cpuToReady, idleRssMb: procStats(proc.child.pid).rssMb };
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const layout = buildImageLayout();
try {
  const all = variants(layout);
  const samples = new Map<string, Sample[]>(all.map((v) => [v.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of round % 2 === 0 ? all : [...all].reverse()) {
      const s = await measure(v);
      samples.get(v.name)!.push(s);
      console.log(
        `round ${round + 1} ${v.name}: /readyz after ${s.readyMs.toFixed(0)} ms, ${s.cpuToReady.toFixed(2)} CPU-s to ready, idle RSS ${s.idleRssMb.toFixed(0)} MB`,
      );
    }
  }
  const summary = all.map((v) => {
    const xs = samples.get(v.name)!;
    return {
      name: v.name,
      readyMs: median(xs.map((x) => x.readyMs)),
      cpu: median(xs.map((x) => x.cpuToReady)),
      rss: median(xs.map((x) => x.idleRssMb)),
    };
  });
  for (const s of summary)
    console.log(
      `median ${s.name}: /readyz after ${s.readyMs.toFixed(0)} ms, ${s.cpu.toFixed(2)} CPU-s, idle RSS ${s.rss.toFixed(0)} MB`,
    );
  const [before, after] = summary as [(typeof summary)[0], (typeof summary)[0]];
  console.log(
    `after/before: start-up ${(after.readyMs / before.readyMs).toFixed(2)}, CPU to ready ${(after.cpu / before.cpu).toFixed(2)}, idle RSS ${(after.rss / before.rss).toFixed(2)} (node ${process.version}, ${ROUNDS} rounds)`,
  );
} finally {
  rmSync(layout.root, { recursive: true, force: true });
}
