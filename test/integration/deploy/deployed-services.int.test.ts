import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderKustomization, type K8sObject } from '../../../scripts/deploy/kustomize.ts';
import { buildImageLayout, freePort, mountConfigMap, runInImage, waitFor, type ImageLayout, type Started } from './image-layout.ts';

/**
 * The four services started as the manifests start them: from the image's file layout (built from the
 * Dockerfile's COPY lines), with the ConfigMaps the overlays render, the init container's provisioning,
 * and the image's entrypoint. Only what must differ on one machine is overridden, by the documented
 * PHAROS_* environment: loopback addresses and ports of the engines and services, a fresh topic and index
 * prefix, single-replica topics, and no Kubernetes watch (there is no API server here).
 */

const run = `it-deploy-${Date.now().toString(36)}`;
const TOKENS = { 'ingest-token': `${run}-ingest-token`, 'admin-token': `${run}-admin-token`, 'viewer-token': `${run}-viewer-token` };
const ENTRYPOINT = ['--import', 'tsx', 'services/main.ts'];

let layout: ImageLayout;
const services: Record<string, { port: number; proc: Started }> = {};
const output = () => Object.entries(services).map(([name, s]) => `--- ${name}\n${s.proc.output().slice(-3000)}`).join('\n');
const url = (svc: string, path: string) => `http://127.0.0.1:${services[svc]!.port}${path}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function configMapData(objects: K8sObject[], prefix: string): Record<string, string> {
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(`${prefix}-`));
  if (!cm) throw new Error(`no ConfigMap ${prefix}`);
  return cm.data as Record<string, string>;
}

/** The rendered config, written where the pod mounts it, with secrets read from the layout's secret folder. */
function writeConfig(objects: K8sObject[], configMap: string, file: string): string {
  const text = configMapData(objects, configMap)['pharos.yaml']!.replaceAll('/etc/pharos/secrets/', `${layout.path('/etc/pharos/secrets')}/`);
  writeFileSync(file, text);
  return file;
}

async function start(service: string, configFile: string, env: Record<string, string>): Promise<void> {
  const port = await freePort();
  const proc = runInImage(layout, [...ENTRYPOINT, service, '--config', configFile], {
    PHAROS_SERVER__HOST: '127.0.0.1',
    PHAROS_SERVER__PORT: String(port),
    PHAROS_DATA_DIR: layout.path(`/var/lib/pharos-${service}`),
    PHAROS_LOG__LEVEL: 'warn',
    PHAROS_BUS__BROKERS: '[127.0.0.1:9092]',
    PHAROS_BUS__TOPIC_PREFIX: run,
    PHAROS_BUS__REPLICATION_FACTOR: '1',
    ...env,
  });
  services[service] = { port, proc };
}

beforeAll(async () => {
  layout = buildImageLayout();
  const [host, member] = await Promise.all([renderKustomization('deploy/kubernetes/overlays/host'), renderKustomization('deploy/kubernetes/overlays/member')]);

  mkdirSync(layout.path('/etc/pharos/secrets'), { recursive: true });
  for (const [key, token] of Object.entries(TOKENS)) writeFileSync(layout.path(`/etc/pharos/secrets/${key}`), `${token}\n`);
  mountConfigMap(layout.path('/etc/pharos/site/rules'), configMapData(host, 'pharos-alert-rules'));
  mountConfigMap(layout.path('/etc/pharos/site/dashboards'), configMapData(host, 'pharos-dashboards'));
  // The host pods' init container.
  execFileSync('sh', [join(layout.app, 'deploy/docker/provision-files.sh')], {
    env: { ...process.env, APP_DIR: layout.app, SITE_DIR: layout.path('/etc/pharos/site'), PROVISIONED_DIR: join(layout.app, 'provisioned') },
    stdio: 'pipe',
  });

  const hostConfig = writeConfig(host, 'pharos-config', layout.path('/etc/pharos/host.yaml'));
  const memberConfig = writeConfig(member, 'pharos-collector-config', layout.path('/etc/pharos/member.yaml'));
  const hostEnv = {
    PHAROS_STORAGE__URL: 'http://127.0.0.1:9200',
    PHAROS_STORAGE__INDEX_PREFIX: run,
    PHAROS_STORAGE__SHARDS: '1',
    PHAROS_STORAGE__REPLICAS: '0',
    // The stack's Prometheus servers stand in for the member clusters' (same names as the shipped config).
    PHAROS_CLUSTERS: '[{name: member-1, prometheus: {url: "http://127.0.0.1:19091"}}, {name: east, prometheus: {url: "http://127.0.0.1:19092"}}]',
  };
  await start('collector', memberConfig, { PHAROS_COLLECTOR__KUBERNETES__ENABLED: 'false' });
  for (const svc of ['indexer', 'query', 'alerting']) await start(svc, hostConfig, hostEnv);

  for (const svc of Object.keys(services)) {
    const exited = () => (services[svc]!.proc.child.exitCode === null ? undefined : `exited with ${services[svc]!.proc.child.exitCode}`);
    await waitFor(`${svc} /readyz`, async () => ((await fetch(url(svc, '/readyz'))).status === 200 ? true : undefined), { timeoutMs: 180_000, context: output, gaveUp: exited });
  }
}, 300_000);

afterAll(async () => {
  for (const s of Object.values(services)) if (s.proc.child.exitCode === null) s.proc.child.kill('SIGKILL');
  await Promise.all(Object.values(services).map((s) => s.proc.exited));
  if (layout) rmSync(layout.root, { recursive: true, force: true });
});

describe('services started as the Kubernetes manifests start them', () => {
  it('carries an audit event from the kube-apiserver webhook through Kafka and OpenSearch to the Query API', async () => {
    const auditID = `${run}-audit-1`;
    const now = new Date().toISOString();
    const eventList = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: [{
        kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Request', auditID, stage: 'ResponseComplete',
        requestURI: '/api/v1/namespaces/shop/configmaps', verb: 'create',
        user: { username: 'alice@example.com', groups: ['system:authenticated'] }, sourceIPs: ['10.0.0.7'],
        objectRef: { resource: 'configmaps', namespace: 'shop', name: 'settings', apiVersion: 'v1' },
        responseStatus: { metadata: {}, code: 201 }, requestReceivedTimestamp: now, stageTimestamp: now,
      }],
    };
    const posted = await fetch(url('collector', '/v1/ingest/audit'), {
      method: 'POST',
      headers: { ...bearer(TOKENS['ingest-token']), 'content-type': 'application/json' },
      body: JSON.stringify(eventList),
    });
    expect(posted.ok, await posted.clone().text()).toBe(true);

    const found = await waitFor('the audit record in the Query API', async () => {
      const res = await fetch(url('query', `/v1/audit?cluster=member-1&verb=create`), { headers: bearer(TOKENS['viewer-token']) });
      const body = (await res.json()) as { items?: { auditID: string; cluster: string; user?: string }[] };
      return body.items?.find((i) => i.auditID === auditID);
    }, { timeoutMs: 90_000, context: output });
    expect(found).toMatchObject({ cluster: 'member-1', user: 'alice@example.com' });
  });

  it("loads the image's built-in and the site's dashboards and rules, provisioned by the init container", async () => {
    const dashboards = (await (await fetch(url('query', '/v1/dashboards'), { headers: bearer(TOKENS['admin-token']) })).json()) as { dashboards: { id: string }[] };
    const ids = dashboards.dashboards.map((d) => d.id);
    expect(ids).toContain('site-example');
    expect(ids).toContain('cluster-overview');

    const rules = (await (await fetch(url('alerting', '/v1/alert-rules'), { headers: bearer(TOKENS['admin-token']) })).json()) as {
      groups: { source: { type: string; file?: string }; group: { name: string } }[];
      fileProblems: unknown[];
    };
    expect(rules.fileProblems).toEqual([]);
    const files = rules.groups.map((g) => `${g.source.file}#${g.group.name}`);
    expect(files).toContain('provisioned/rules/pharos-examples.rules.yaml#pharos-examples');
    expect(files.some((f) => f.startsWith('alert-rules/'))).toBe(true);
  });

  it("passes the image's health check while a service runs, and fails it where nothing listens", async () => {
    const check = (port: number) =>
      runInImage(layout, ['--import', 'tsx', 'scripts/deploy/healthcheck.ts'], {
        PHAROS_CONFIG: layout.path('/etc/pharos/pharos.yaml'),
        PHAROS_SERVER__PORT: String(port),
      }).exited;
    expect(await check(services.query!.port)).toBe(0);
    expect(await check(await freePort())).toBe(1);
  });

  it('stops every service cleanly on SIGTERM, as the kubelet stops a pod', async () => {
    for (const s of Object.values(services)) s.proc.child.kill('SIGTERM');
    const codes = await Promise.all(Object.values(services).map((s) => s.proc.exited));
    expect(codes, output()).toEqual(Object.values(services).map(() => 0));
  });
});
