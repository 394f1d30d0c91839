// Alertmanager newer than Debian's 0.25, built from its Go module: the reference for the config fields and
// receivers 0.25 lacks (msteams 0.26, msteamsv2 0.28, telegram bot_token_file/message_thread_id, UTF-8 matchers).
// `go install` of the module fails (its ui package embeds app/dist, which the module does not ship), so the module
// source is copied, given an empty UI, and built there. Binaries are cached outside the clone, keyed by version,
// so a fresh clone reuses them: ~/.cache/pharos/bin/{alertmanager,amtool}-<version>. First build: ~3 min on 2 cores.
// `npx tsx scripts/stack/alertmanager-latest.ts` builds it (as .ci/run does); tests call ensureLatestAlertmanager().
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const ALERTMANAGER_MODULE = 'github.com/prometheus/alertmanager';
export const ALERTMANAGER_LATEST = '0.35.0';
export const CACHE_BIN = join(homedir(), '.cache', 'pharos', 'bin');

export interface AlertmanagerBinaries {
  alertmanager: string;
  amtool: string;
  version: string;
}

export async function ensureLatestAlertmanager(
  log: (m: string) => void = () => undefined,
): Promise<AlertmanagerBinaries> {
  const bins = {
    alertmanager: join(CACHE_BIN, `alertmanager-${ALERTMANAGER_LATEST}`),
    amtool: join(CACHE_BIN, `amtool-${ALERTMANAGER_LATEST}`),
    version: ALERTMANAGER_LATEST,
  };
  if (existsSync(bins.alertmanager) && existsSync(bins.amtool)) return bins;
  log(`building Alertmanager ${ALERTMANAGER_LATEST} from the Go module (first time; a few minutes)`);
  const opts = { env: { ...process.env, GOFLAGS: '-mod=mod' }, timeout: 20 * 60_000, maxBuffer: 32 * 1024 * 1024 };
  const { stdout } = await run(
    'go',
    ['mod', 'download', '-json', `${ALERTMANAGER_MODULE}@v${ALERTMANAGER_LATEST}`],
    opts,
  );
  const dir = (JSON.parse(stdout) as { Dir: string }).Dir;
  const work = mkdtempSync(join(tmpdir(), 'pharos-am-build-'));
  try {
    const src = join(work, 'src');
    cpSync(dir, src, { recursive: true });
    chmodSync(src, 0o755);
    await run('chmod', ['-R', 'u+w', src]);
    for (const ui of ['elm', 'mantine']) {
      mkdirSync(join(src, 'ui/app/dist', ui), { recursive: true });
      writeFileSync(
        join(src, 'ui/app/dist', ui, 'index.html'),
        '<!doctype html><title>Alertmanager (no UI in this build)</title>\n',
      );
    }
    const out = join(work, 'bin');
    mkdirSync(out);
    await run(
      'go',
      [
        'build',
        '-o',
        `${out}/`,
        '-ldflags',
        `-X github.com/prometheus/common/version.Version=${ALERTMANAGER_LATEST}`,
        './cmd/alertmanager',
        './cmd/amtool',
      ],
      { ...opts, cwd: src },
    );
    mkdirSync(CACHE_BIN, { recursive: true });
    // Renamed into place: a concurrent run never sees half a binary.
    for (const [name, target] of [
      ['alertmanager', bins.alertmanager],
      ['amtool', bins.amtool],
    ] as const) {
      cpSync(join(out, name), `${target}.${process.pid}`);
      chmodSync(`${target}.${process.pid}`, 0o755);
      renameSync(`${target}.${process.pid}`, target);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`Alertmanager ${ALERTMANAGER_LATEST} cached in ${CACHE_BIN}`);
  return bins;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  ensureLatestAlertmanager((m) => console.log(`[alertmanager-latest] ${m}`)).then(
    (b) => console.log(`[alertmanager-latest] ${b.alertmanager}`),
    (err: unknown) => {
      console.error(`[alertmanager-latest] ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
