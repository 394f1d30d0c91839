import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { timeIntervalSpecSchema } from '../../../libs/config/sections/alertmanager/am-time-intervals.ts';
import { parseAmYaml } from '../../../libs/config/sections/alertmanager/am-yaml.ts';
import { specContains } from '../../../services/alerting/notify/time-intervals.ts';

/**
 * Pharos's time interval evaluation against Alertmanager's own code (timeinterval.ContainsTime of the Go module
 * v0.35.0, in a small program: test/fixtures/go/timeinterval-oracle): thousands of random specs (times, weekdays,
 * negative days of the month, months, years, IANA locations) at random instants and at every quarter hour around
 * DST changes must get the same answer, and the same specs must be refused.
 */
const run = promisify(execFile);
const SRC = resolve('test/fixtures/go/timeinterval-oracle');

async function oracleBinary(): Promise<string> {
  const hash = createHash('sha256')
    .update(readFileSync(join(SRC, 'main.go')))
    .update(readFileSync(join(SRC, 'go.mod')))
    .digest('hex')
    .slice(0, 12);
  const dir = join(homedir(), '.cache', 'pharos', 'bin');
  const bin = join(dir, `timeinterval-oracle-${hash}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  await run('go', ['build', '-o', `${bin}.${process.pid}`, '.'], {
    cwd: SRC,
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    timeout: 10 * 60_000,
  });
  chmodSync(`${bin}.${process.pid}`, 0o755);
  renameSync(`${bin}.${process.pid}`, bin);
  return bin;
}

function ask(bin: string, lines: { spec: string; times: number[] }[]): Promise<string[]> {
  return new Promise((res, rej) => {
    const child = spawn(bin, { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res(out.trimEnd().split('\n')) : rej(new Error(`oracle exited ${code}`))));
    child.stdin.end(lines.map((l) => JSON.stringify(l)).join('\n'));
  });
}

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'Europe/London',
  'UTC',
];
const hhmm = fc
  .integer({ min: 0, max: 96 })
  .map((q) => `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
const list = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: 1, maxLength: 2 });
const spec = fc.record(
  {
    times: list(fc.tuple(hhmm, hhmm).map(([a, b]) => `{ start_time: '${a}', end_time: '${b}' }`)),
    weekdays: list(fc.constantFrom('monday:friday', 'saturday', 'Sunday', 'tuesday:thursday', 'friday:monday')),
    days_of_month: list(
      fc.constantFrom('1:5', '-3:-1', '28:31', '-7:-1', '15', '-1', '1:31', '30:31', '-31:-29', '0:3'),
    ),
    months: list(fc.constantFrom('march:april', '10', 'november:december', 'February', '1:12')),
    years: list(fc.constantFrom('2026:2027', '2028', '2026')),
    location: fc.constantFrom(...ZONES),
  },
  { requiredKeys: [] },
);
const toYaml = (s: Record<string, string | string[]>) =>
  Object.entries(s)
    .map(([k, v]) =>
      k === 'times'
        ? `times: [${(v as string[]).join(', ')}]`
        : Array.isArray(v)
          ? `${k}: [${v.map((x) => `'${x}'`).join(', ')}]`
          : `${k}: ${v}`,
    )
    .join('\n');

// Quarter hours over the days around 2026's DST changes in Berlin, New York, Sydney and Chatham, and month ends.
const AROUND = [
  '2026-03-29T01:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-03-08T07:00:00Z',
  '2026-11-01T06:00:00Z',
  '2026-04-04T16:00:00Z',
  '2026-09-26T14:00:00Z',
  '2028-02-29T12:00:00Z',
  '2026-12-31T23:00:00Z',
];
const instants = [
  ...AROUND.flatMap((t) => Array.from({ length: 4 * 48 }, (_, i) => Date.parse(t) - 24 * 3600_000 + i * 15 * 60_000)),
  ...fc.sample(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2029-01-01T00:00:00Z') }), {
    numRuns: 400,
    seed: 17,
  }),
];

describe("time intervals equal Alertmanager's timeinterval.ContainsTime", () => {
  let bin = '';
  beforeAll(async () => {
    bin = await oracleBinary();
  }, 15 * 60_000);

  it('gives the same answers for random specs at random instants and around DST changes', async () => {
    const specs = fc.sample(spec, { numRuns: 300, seed: 42 }).map(toYaml);
    const answers = await ask(
      bin,
      specs.map((s) => ({ spec: s, times: instants })),
    );
    let compared = 0;
    let refused = 0;
    specs.forEach((text, i) => {
      const go = answers[i] as string;
      const parsed = timeIntervalSpecSchema.safeParse(parseAmYaml(text).value);
      expect({ spec: text, refused: !parsed.success }).toEqual({ spec: text, refused: go.startsWith('error') });
      if (!parsed.success) {
        refused++;
        return;
      }
      const pharos = instants.map((t) => (specContains(parsed.data, t) ? '1' : '0')).join('');
      const first = [...pharos].findIndex((c, j) => c !== go[j]);
      expect({
        spec: text,
        firstDifferent: first < 0 ? null : new Date(instants[first] as number).toISOString(),
      }).toEqual({ spec: text, firstDifferent: null });
      compared += instants.length;
    });
    expect(compared).toBeGreaterThan(100_000);
    expect(refused).toBeGreaterThan(10);
  });
});
