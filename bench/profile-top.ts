// npx tsx bench/profile-top.ts <file.cpuprofile> [N] [filter]
// The top functions of a V8 CPU profile (node --cpu-prof, e.g. BENCH_CPU_PROF of the federation benches) by self
// time and by total time (the function and what it calls, each frame counted once per sample), with each one's
// share of the non-idle samples: what to look at first. `filter` keeps the functions whose location contains it.
// PROFILE_FROM=<function name> counts only the samples from the first one whose stack holds that function on
// (e.g. runPlanned: the process's start-up and module loading left out).
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
}

const stackHas = (id: number, name: string): boolean => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur))
    if (byId.get(cur)?.callFrame.functionName === name) return true;
  return false;
};

const [file, n = '25', filter = ''] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/profile-top.ts <file.cpuprofile> [N] [filter]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

const nameOf = (node: Node): string => {
  const f = node.callFrame;
  const where = f.url.replace(/^file:\/\/.*?\/(node_modules|libs|services|bench|scripts)\//, '$1/');
  return `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
};
const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);
const self = new Map<string, number>();
const total = new Map<string, number>();
let busy = 0;
const from = process.env.PROFILE_FROM;
const first = from ? profile.samples.findIndex((id) => stackHas(id, from)) : 0;
for (const id of profile.samples.slice(Math.max(first, 0))) {
  const leaf = byId.get(id) as Node;
  const key = nameOf(leaf);
  self.set(key, (self.get(key) ?? 0) + 1);
  if (leaf.callFrame.functionName === '(idle)') continue;
  busy++;
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = nameOf(byId.get(cur) as Node);
    if (seen.has(k)) continue;
    seen.add(k);
    total.set(k, (total.get(k) ?? 0) + 1);
  }
}
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title} (% of ${busy} non-idle samples)`);
  [...m]
    .filter(([k]) => k.includes(filter) && !IDLE.has(k.split(' ')[0] as string))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(n))
    .forEach(([k, v]) => console.log(`${((100 * v) / busy).toFixed(1).padStart(5)}%  ${k}`));
};
const gc = [...self].filter(([k]) => k.startsWith('(garbage collector)')).reduce((a, [, v]) => a + v, 0);
console.log(`garbage collector: ${((100 * gc) / busy).toFixed(1)}% of non-idle samples`);
print('self time', self);
print('total time', total);
