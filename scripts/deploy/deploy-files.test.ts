import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadRuleFiles } from '../../services/alerting/rules/rule-files.ts';
import { loadBuiltinDashboards } from '../../services/query/dashboards/builtin-dashboards.ts';
import { ENTRY_POINTS, SHIPPED_DEFAULTS, runtimeAssets } from '../build/build.ts';
import {
  PHAROS_IMAGE as IMAGE,
  auditPolicySchema,
  configProblems,
  parseDockerfile,
  runtimeGraph,
  webhookKubeconfigSchema,
  type DockerStage,
} from './deploy-files.ts';
import { imageCommand, imageEnv } from './image-stages.ts';
import { configSchema } from '../../libs/config/config.schema.ts';
import { REPO_ROOT } from './kustomize.ts';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const PHAROS_SERVICES = ['collector', 'indexer', 'query', 'alerting'];

describe('Dockerfile', () => {
  const { stages } = parseDockerfile(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const ops = (op: string, stage = runtime) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
  const contextCopies = (stage: DockerStage) =>
    ops('COPY', stage)
      .filter((a) => !a.startsWith('--from'))
      .map((a) => a.split(' ').slice(0, -1))
      .flat();
  const covered = (files: string[], copied: string[]) =>
    files.filter((f) => !copied.some((c) => f === c || f.startsWith(`${c}/`)));
  const pkg = JSON.parse(read('package.json')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const deps = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args)))!;
  const build = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /npm run build/.test(i.args)))!;

  it('builds production dependencies in a stage of their own, with the native toolchain kept out of the runtime', () => {
    expect(deps).toBeDefined();
    expect(deps.instructions.some((i) => /apt-get install .*python3.*make.*g\+\+/.test(i.args))).toBe(true);
    expect(ops('RUN').join('\n')).not.toMatch(/npm (ci|install|run)|apt-get install/);
    expect(ops('COPY')).toContain(`--from=${deps.name} /app/node_modules ./node_modules`);
  });

  it('compiles in a build stage, and runs only the compiled JavaScript on plain node: no TypeScript, no tsx, no dev dependencies', () => {
    expect(build).toBeDefined();
    expect(build).not.toBe(deps);
    expect(ops('COPY')).toContain(`--from=${build.name} /app/dist ./`);
    expect(
      ops('COPY')
        .filter((a) => a.startsWith('--from'))
        .map((a) => a.split(' ')[0]),
    ).toEqual([`--from=${deps.name}`, `--from=${build.name}`]);
    for (const src of contextCopies(runtime))
      expect(src, 'runtime stage copies from the context').not.toMatch(/\.ts$|^(libs|services|scripts)$/);
    expect(imageCommand('ENTRYPOINT')).toEqual(['node', '--enable-source-maps', 'services/main.js']);
    expect(imageCommand('HEALTHCHECK')).toEqual(['node', 'scripts/deploy/healthcheck.js']);
    expect(`${ops('ENTRYPOINT')} ${ops('HEALTHCHECK')} ${ops('ENV')}`).not.toMatch(/tsx|--import|--loader|\.ts\b/);
    for (const tool of ['tsx', 'typescript']) {
      expect(pkg.dependencies).not.toHaveProperty(tool);
      expect(pkg.devDependencies).toHaveProperty(tool);
    }
    expect(imageEnv().NODE_ENV).toBe('production');
  });

  it('runs as a numeric non-root user, health-checks /healthz and takes the service name as its argument', () => {
    const user = ops('USER').at(-1) ?? '';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user.split(':')[0])).toBeGreaterThan(0);
    expect(ops('HEALTHCHECK').join(' ')).toMatch(/--interval=\S+ .*CMD /);
    expect(read('scripts/deploy/healthcheck.ts')).toContain('/healthz');
    expect(JSON.parse(ops('CMD')[0]!)).toEqual(['all']);
    expect(imageEnv().PHAROS_CONFIG).toBe('/etc/pharos/pharos.yaml');
  });

  it('builds every tracked file or folder that a config default names relative to the installation', () => {
    const named = defaultPaths(configSchema.parse({}));
    expect(named).toContain('config/metric-templates.yaml');
    const tracked = named.filter(
      (p) => execFileSync('git', ['ls-files', '--', p], { cwd: REPO_ROOT, encoding: 'utf8' }).trim() !== '',
    );
    expect(covered(tracked, [...SHIPPED_DEFAULTS])).toEqual([]);
    expect(covered([...SHIPPED_DEFAULTS], contextCopies(build))).toEqual([]);
  });

  it("ships a default config that is valid and listens beyond the container's loopback", () => {
    const copy = ops('COPY').find((a) => a.endsWith(' /etc/pharos/pharos.yaml'))!;
    const text = read(copy.split(' ')[0]!);
    expect(configProblems(text)).toEqual([]);
    expect((parseYaml(text) as { server: { host: string } }).server.host).toBe('0.0.0.0');
  });

  it('gives the build stage every source file the compiled entry points load, and every package they import is a production dependency', () => {
    const entries = (JSON.parse(read('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as { files: string[] }).files;
    expect(entries.map((e) => e.replace(/\.ts$/, '.js'))).toEqual([...ENTRY_POINTS]);
    const { files } = runtimeGraph(REPO_ROOT, [...entries, 'scripts/build/build.ts']);
    expect(files.length).toBeGreaterThan(20);
    expect(
      covered([...files, 'tsconfig.json', 'tsconfig.build.json', ...runtimeAssets()], contextCopies(build)),
    ).toEqual([]);
    expect(files.filter((f) => f.endsWith('.test.ts'))).toEqual([]);
    const { packages } = runtimeGraph(REPO_ROOT, entries);
    expect(
      [...packages].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (${file})`),
    ).toEqual([]);
  });
});

/** Relative paths among a config's string values (a glob cut at its first wildcard) that exist in the repository. */
function defaultPaths(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(defaultPaths);
  if (value && typeof value === 'object') return Object.values(value).flatMap(defaultPaths);
  if (typeof value !== 'string' || value.startsWith('/') || value.includes(':')) return [];
  const parts = value.split('/');
  const wild = parts.findIndex((p) => /[*?{[]/.test(p));
  const path = wild < 0 ? value : parts.slice(0, wild).join('/');
  return path && existsSync(join(REPO_ROOT, path)) ? [path] : [];
}

describe('docker-compose.yml', () => {
  const compose = parseYaml(read('docker-compose.yml'), { merge: true }) as {
    services: Record<
      string,
      {
        image: string;
        command?: string[];
        environment?: Record<string, string>;
        volumes?: string[];
        secrets?: string[];
      }
    >;
    secrets: Record<string, { file: string }>;
  };

  it('runs Kafka in KRaft mode, OpenSearch 2.19 without the security plugin, and Prometheus', () => {
    const { kafka, opensearch, prometheus } = compose.services;
    expect(kafka?.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(Object.keys(compose.services).some((s) => /zookeeper/i.test(s))).toBe(false);
    expect(opensearch?.image).toMatch(/^opensearchproject\/opensearch:2\.19\./);
    expect(opensearch?.environment?.DISABLE_SECURITY_PLUGIN).toBe('true');
    expect(prometheus?.image).toMatch(/^prom\/prometheus:/);
    const promConfig =
      prometheus?.volumes?.find((v) => v.includes('/etc/prometheus/prometheus.yml'))?.split(':')[0] ?? '';
    expect(existsSync(join(REPO_ROOT, promConfig))).toBe(true);
  });

  it('runs each Pharos service from the same image as the manifests, with a valid config from config/', () => {
    for (const name of PHAROS_SERVICES) {
      const svc = compose.services[name]!;
      expect(svc.image).toBe(IMAGE);
      expect(svc.command).toEqual([name]);
      const mount = svc.volumes?.find((v) => v.split(':')[1] === '/etc/pharos/pharos.yaml') ?? '';
      expect(mount).toMatch(/^\.\/config\//);
      const text = read(mount.split(':')[0]!);
      expect(configProblems(text)).toEqual([]);
      const tokens = (parseYaml(text) as { auth: { tokens: { tokenFile: string }[] } }).auth.tokens;
      for (const t of tokens) expect(svc.secrets?.map((s) => `/run/secrets/${s}`)).toContain(t.tokenFile);
      for (const v of svc.volumes ?? []) expect(existsSync(join(REPO_ROOT, v.split(':')[0]!)), v).toBe(true);
    }
  });

  it('keeps secrets in files that git ignores', () => {
    const ignore = read('deploy/compose/secrets/.gitignore');
    expect(ignore).toMatch(/^\*$/m);
    for (const s of Object.values(compose.secrets)) expect(s.file).toMatch(/^\.\/deploy\/compose\/secrets\//);
  });
});

describe('provision-files.sh, the init container of query and alerting', () => {
  const HOST = 'deploy/kubernetes/overlays/host';

  /** A ConfigMap volume as the kubelet lays it out: files in ..<timestamp>/, ..data → it, each key → ..data/key. */
  function configMapVolume(dir: string, sourceDir: string): void {
    const stamp = '..2026_01_01_00_00_00.000000001';
    mkdirSync(join(dir, stamp), { recursive: true });
    symlinkSync(stamp, join(dir, '..data'));
    for (const file of readdirSync(sourceDir)) {
      copyFileSync(join(sourceDir, file), join(dir, stamp, file));
      symlinkSync(join('..data', file), join(dir, file));
    }
  }

  it("puts the site's rules and dashboards beside the built-ins, where the real loaders read them", () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pharos-provision-'));
    try {
      const app = join(tmp, 'app');
      cpSync(join(REPO_ROOT, 'dashboards'), join(app, 'dashboards'), { recursive: true });
      for (const kind of ['rules', 'dashboards']) configMapVolume(join(tmp, 'site', kind), join(REPO_ROOT, HOST, kind));
      execFileSync('sh', [join(REPO_ROOT, 'deploy/docker/provision-files.sh')], {
        env: { ...process.env, APP_DIR: app, SITE_DIR: join(tmp, 'site'), PROVISIONED_DIR: join(app, 'provisioned') },
        stdio: 'pipe',
      });
      const cfg = parseYaml(read(`${HOST}/config/pharos.yaml`)) as {
        alerting: { ruleFiles: string[] };
        dashboards: { dir: string };
      };
      const siteGlobs = cfg.alerting.ruleFiles.filter((g) => g.startsWith('provisioned/'));
      const rules = loadRuleFiles(siteGlobs, { defaultIntervalMs: 60_000 }, app);
      expect(rules.problems).toEqual([]);
      expect(rules.groups.map((g) => g.name)).toEqual(['pharos-examples']);
      const dashboards = loadBuiltinDashboards(join(app, cfg.dashboards.dir)).map((d) => d.id);
      const builtins = loadBuiltinDashboards(join(REPO_ROOT, 'dashboards')).map((d) => d.id);
      expect(dashboards.sort()).toEqual([...builtins, 'site-example'].sort());
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('kube-apiserver audit files', () => {
  it('has an audit policy valid against audit.k8s.io/v1 that ends with a catch-all rule', () => {
    const policy = auditPolicySchema.parse(parseYaml(read('deploy/kubernetes/apiserver/audit-policy.yaml')));
    const last = policy.rules.at(-1)!;
    expect(Object.keys(last)).toEqual(['level']);
    expect(policy.rules.some((r) => r.level === 'RequestResponse')).toBe(false);
  });

  it('has a webhook kubeconfig whose context, cluster and user agree, with the token in a file', () => {
    const kc = webhookKubeconfigSchema.parse(
      parseYaml(read('deploy/kubernetes/apiserver/audit-webhook-kubeconfig.yaml')),
    );
    const ctx = kc.contexts.find((c) => c.name === kc['current-context'])!;
    expect(ctx.context.cluster).toBe(kc.clusters[0]!.name);
    expect(ctx.context.user).toBe(kc.users[0]!.name);
    expect(kc.users[0]!.user.tokenFile).toBeTruthy();
    expect(kc.users[0]!.user.token).toBeUndefined();
  });

  it('rejects a policy with an unknown level or field', () => {
    const bad = {
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Policy',
      rules: [{ level: 'Everything' }, { level: 'None', user: ['x'] }],
    };
    const issues = auditPolicySchema.safeParse(bad).error?.issues.map((i) => i.path.join('.'));
    expect(issues).toEqual(['rules.0.level', 'rules.1']);
  });
});

describe('docs/deploy.md', () => {
  const doc = read('docs/deploy.md');
  // Blocks inside list items are indented; strip the common indentation before parsing.
  const dedent = (block: string) => {
    const indent = Math.min(
      ...block
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => /^ */.exec(l)![0].length),
    );
    return block
      .split('\n')
      .map((l) => l.slice(indent))
      .join('\n');
  };
  const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => dedent(m[1]!));
  const CONFIG_KEYS = /^(server|storage|bus|collector|clusters|auth|retention|alerting):/m;

  it('shows only config snippets that are valid against the config contract', () => {
    const configs = yamlBlocks.filter((b) => CONFIG_KEYS.test(b));
    expect(configs.length).toBe(yamlBlocks.length);
    expect(configs.length).toBeGreaterThanOrEqual(2);
    for (const block of configs) expect(configProblems(block), block).toEqual([]);
  });

  it('names the image, both overlays, the apiserver flags and the endpoints it documents', () => {
    for (const text of [
      IMAGE,
      'deploy/kubernetes/overlays/member',
      'deploy/kubernetes/overlays/host',
      '--audit-webhook-config-file',
      '--audit-policy-file',
      '/v1/ingest/audit',
      '/healthz',
      '/readyz',
    ]) {
      expect(doc).toContain(text);
    }
  });
});
