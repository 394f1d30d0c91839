import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from '../build/build.ts';
import { imageCommand, imageEnv, linkProductionModules, runtimeStage } from './image-stages.ts';
import { REPO_ROOT, renderKustomization, type K8sObject } from './kustomize.ts';

/**
 * The image's file system, laid out in a temp folder from the runtime stage's COPY lines (minus what
 * .dockerignore drops: tests), so a process started in `<root>/app` sees what the container sees. What the
 * runtime stage copies from the other stages is made as they make it: the compiled build by `npm run build`'s
 * own function (without its type check, which `npm run typecheck` does), and node_modules as the production
 * packages only, each linked to this checkout's installed copy rather than installed again.
 */
export interface ImageLayout {
  root: string;
  app: string;
  /** A path of the image (e.g. /etc/pharos/pharos.yaml) inside the layout. */
  path(imagePath: string): string;
}

/** How this machine makes what the runtime stage copies `--from` another stage, keyed by the path copied. */
const FROM_STAGES: Record<string, (target: string, scratch: string) => void> = {
  '/app/node_modules': (target) => void linkProductionModules(target),
  '/app/dist': (target, scratch) => {
    build({ outDir: scratch, typeCheck: false });
    cpSync(scratch, target, { recursive: true });
  },
};

export function buildImageLayout(): ImageLayout {
  const root = mkdtempSync(join(tmpdir(), 'pharos-image-'));
  const app = join(root, 'app');
  const path = (imagePath: string) => join(root, imagePath);
  mkdirSync(app, { recursive: true });
  for (const { op, args } of runtimeStage().instructions) {
    if (op !== 'COPY') continue;
    const parts = args.split(' ');
    const from = parts[0]!.startsWith('--from=') ? parts.shift() : undefined;
    const dest = parts.at(-1)!;
    for (const src of parts.slice(0, -1)) {
      const target = dest.startsWith('/') ? path(dest) : join(app, dest.endsWith('/') && !from ? src : dest);
      mkdirSync(dirname(target), { recursive: true });
      if (from) {
        const make = FROM_STAGES[src];
        if (!make) throw new Error(`image layout: no way to make ${src} of ${from} here`);
        make(target, join(root, 'stage', src));
      } else {
        cpSync(join(REPO_ROOT, src), target, { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
      }
    }
  }
  return { root, app, path };
}

/** Writes a ConfigMap's data as the kubelet mounts it: files in ..<timestamp>/, ..data → it, keys → ..data/key. */
export function mountConfigMap(dir: string, data: Record<string, string>): void {
  const stamp = '..2026_01_01_00_00_00.000000001';
  mkdirSync(join(dir, stamp), { recursive: true });
  symlinkSync(stamp, join(dir, '..data'));
  for (const [key, text] of Object.entries(data)) {
    writeFileSync(join(dir, stamp, key), text);
    symlinkSync(join('..data', key), join(dir, key));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Started {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Runs a command of the image (its ENTRYPOINT or HEALTHCHECK, in exec form) in the image's working
 * directory with the image's ENV (paths mapped into the layout), plus `env`.
 */
export function runInImage(layout: ImageLayout, command: string[], env: Record<string, string>): Started {
  const [bin, ...argv] = command;
  if (bin !== 'node') throw new Error(`image command ${JSON.stringify(command)}: only node commands run here`);
  const image = Object.fromEntries(
    Object.entries(imageEnv()).map(([k, v]) => [k, v.startsWith('/') ? layout.path(v) : v]),
  );
  const child = spawn(process.execPath, argv, {
    cwd: layout.app,
    env: { ...process.env, ...image, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** The image's ENTRYPOINT followed by `args` (what `docker run IMAGE args…` starts), and its HEALTHCHECK. */
export const entrypoint = (...args: string[]): string[] => [...imageCommand('ENTRYPOINT'), ...args];
export const healthcheck = (): string[] => imageCommand('HEALTHCHECK');

/**
 * Polls until `check` holds, or fails with the last answer and the processes' output; at once when
 * `gaveUp` says there is no point waiting (a process exited).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  opts: { timeoutMs: number; context: () => string; gaveUp?: () => string | undefined },
): Promise<T> {
  const { timeoutMs, context } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const reason = opts.gaveUp?.();
    if (reason) throw new Error(`${what}: ${reason}\n${context()}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms (last error: ${String(last)})\n${context()}`);
}

export type PharosService = 'collector' | 'indexer' | 'query' | 'alerting';

/**
 * Pharos services started on this machine as the Kubernetes manifests start them: from the image layout,
 * with the ConfigMaps the overlays render (collector: member; others: host), the host pods' init
 * container, and the image's entrypoint. Only what must differ on one machine is overridden, through the
 * documented PHAROS_* environment: loopback addresses and ports of the engines and services, a fresh topic
 * and index prefix, single-replica topics, the stack's Prometheus servers as the clusters', and no
 * Kubernetes watch (there is no API server here).
 */
export class LocalDeployment {
  readonly services: Partial<Record<PharosService, { port: number; proc: Started }>> = {};

  readonly run: string;
  readonly layout: ImageLayout;
  readonly tokens: Record<'ingest-token' | 'admin-token' | 'viewer-token', string>;
  /** The config files of the host services and of the member (collector). */
  private readonly configs: { host: string; member: string };

  private constructor(
    parts: Pick<LocalDeployment, 'run' | 'layout' | 'tokens'> & { configs: LocalDeployment['configs'] },
  ) {
    this.run = parts.run;
    this.layout = parts.layout;
    this.tokens = parts.tokens;
    this.configs = parts.configs;
  }

  static async prepare(run: string): Promise<LocalDeployment> {
    const layout = buildImageLayout();
    const [host, member] = await Promise.all([
      renderKustomization('deploy/kubernetes/overlays/host'),
      renderKustomization('deploy/kubernetes/overlays/member'),
    ]);
    const tokens = {
      'ingest-token': `${run}-ingest-token`,
      'admin-token': `${run}-admin-token`,
      'viewer-token': `${run}-viewer-token`,
    };
    mkdirSync(layout.path('/etc/pharos/secrets'), { recursive: true });
    for (const [key, token] of Object.entries(tokens))
      writeFileSync(layout.path(`/etc/pharos/secrets/${key}`), `${token}\n`);
    mountConfigMap(layout.path('/etc/pharos/site/rules'), configMapData(host, 'pharos-alert-rules'));
    mountConfigMap(layout.path('/etc/pharos/site/dashboards'), configMapData(host, 'pharos-dashboards'));
    execFileSync('sh', [join(layout.app, 'deploy/docker/provision-files.sh')], {
      env: {
        ...process.env,
        APP_DIR: layout.app,
        SITE_DIR: layout.path('/etc/pharos/site'),
        PROVISIONED_DIR: join(layout.app, 'provisioned'),
      },
      stdio: 'pipe',
    });
    // The config as the pod mounts it; secrets are read from the layout's secret folder.
    const write = (objects: K8sObject[], configMap: string, name: string) => {
      const file = layout.path(`/etc/pharos/${name}.yaml`);
      writeFileSync(
        file,
        configMapData(objects, configMap)['pharos.yaml']!.replaceAll(
          '/etc/pharos/secrets/',
          `${layout.path('/etc/pharos/secrets')}/`,
        ),
      );
      return file;
    };
    return new LocalDeployment({
      run,
      layout,
      tokens,
      configs: {
        host: write(host, 'pharos-config', 'host'),
        member: write(member, 'pharos-collector-config', 'member'),
      },
    });
  }

  async start(service: PharosService): Promise<void> {
    const port = await freePort();
    const common = {
      PHAROS_SERVER__HOST: '127.0.0.1',
      PHAROS_SERVER__PORT: String(port),
      PHAROS_DATA_DIR: this.layout.path(`/var/lib/pharos-${service}`),
      PHAROS_LOG__LEVEL: 'warn',
      PHAROS_BUS__BROKERS: '[127.0.0.1:9092]',
      PHAROS_BUS__TOPIC_PREFIX: this.run,
      PHAROS_BUS__REPLICATION_FACTOR: '1',
    };
    const hostEnv = {
      PHAROS_STORAGE__URL: 'http://127.0.0.1:9200',
      PHAROS_STORAGE__INDEX_PREFIX: this.run,
      PHAROS_STORAGE__SHARDS: '1',
      PHAROS_STORAGE__REPLICAS: '0',
      PHAROS_CLUSTERS:
        '[{name: member-1, prometheus: {url: "http://127.0.0.1:19091"}}, {name: east, prometheus: {url: "http://127.0.0.1:19092"}}]',
    };
    const isCollector = service === 'collector';
    const env = isCollector ? { ...common, PHAROS_COLLECTOR__KUBERNETES__ENABLED: 'false' } : { ...common, ...hostEnv };
    const config = isCollector ? this.configs.member : this.configs.host;
    this.services[service] = { port, proc: runInImage(this.layout, entrypoint(service, '--config', config), env) };
  }

  async waitReady(service: PharosService, timeoutMs: number): Promise<void> {
    const proc = this.services[service]!.proc;
    const exited = () => (proc.child.exitCode === null ? undefined : `exited with ${proc.child.exitCode}`);
    await waitFor(
      `${service} /readyz`,
      async () => ((await fetch(this.url(service, '/readyz'))).status === 200 ? true : undefined),
      {
        timeoutMs,
        context: () => this.output(),
        gaveUp: exited,
      },
    );
  }

  url(service: PharosService, path: string): string {
    return `http://127.0.0.1:${this.services[service]!.port}${path}`;
  }

  output(): string {
    return Object.entries(this.services)
      .map(([name, s]) => `--- ${name}\n${s.proc.output().slice(-3000)}`)
      .join('\n');
  }

  /** SIGTERM to every service, as the kubelet stops a pod; resolves to their exit codes. */
  async stop(): Promise<Record<string, number | null>> {
    const entries = Object.entries(this.services);
    for (const [, s] of entries) if (s.proc.child.exitCode === null) s.proc.child.kill('SIGTERM');
    return Object.fromEntries(
      await Promise.all(entries.map(async ([name, s]) => [name, await s.proc.exited] as const)),
    );
  }

  async dispose(): Promise<void> {
    for (const s of Object.values(this.services)) if (s.proc.child.exitCode === null) s.proc.child.kill('SIGKILL');
    await Promise.all(Object.values(this.services).map((s) => s.proc.exited));
    rmSync(this.layout.root, { recursive: true, force: true });
  }
}

function configMapData(objects: K8sObject[], prefix: string): Record<string, string> {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${prefix}-`));
  if (!cm) throw new Error(`no ConfigMap ${prefix}`);
  return cm.data as Record<string, string>;
}
