import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PHAROS_IMAGE as IMAGE, configProblems } from './deploy-files.ts';
import { validateObjects } from './k8s-schema.ts';
import { REPO_ROOT, renderKustomization, type K8sObject } from './kustomize.ts';
import {
  allContainers,
  checkContainers,
  type Container,
  checkEventsOnlyRbac,
  checkSelectors,
  grantedPermissions,
  workloads,
  workloadsWithoutPdb,
  type Workload,
} from './manifest-checks.ts';

const SERVICES = ['all', 'collector', 'indexer', 'query', 'alerting'];
const OVERLAYS = {
  member: 'deploy/kubernetes/overlays/member',
  host: 'deploy/kubernetes/overlays/host',
  east: 'deploy/kubernetes/clusters/east',
} as const;
type OverlayName = keyof typeof OVERLAYS;

const rendered = {} as Record<OverlayName, K8sObject[]>;

// The first run on a fresh machine builds kustomize with `go install` (about a minute).
beforeAll(async () => {
  for (const [name, dir] of Object.entries(OVERLAYS)) rendered[name as OverlayName] = await renderKustomization(dir);
}, 15 * 60_000);

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const workload = (objects: K8sObject[], component: string): Workload => {
  const found = workloads(objects).find((w) => w.labels['app.kubernetes.io/component'] === component);
  if (!found) throw new Error(`no ${component} workload`);
  return found;
};
/** The Pharos config a container runs with: the ConfigMap key its `--config` path is mounted from. */
function configOf(objects: K8sObject[], w: Workload): { text: string; parsed: Record<string, unknown> } {
  const c = w.pod.containers[0]!;
  const path = c.args?.[(c.args?.indexOf('--config') ?? -2) + 1];
  const mounts = c.volumeMounts ?? [];
  const mount = mounts.find((m) => (m.subPath ? m.mountPath === path : path?.startsWith(`${m.mountPath}/`)));
  const volume = w.pod.volumes?.find((v) => v.name === mount?.name);
  const cm = byKind(objects, 'ConfigMap').find((o) => o.metadata.name === volume?.configMap?.name);
  const key = mount?.subPath ?? path?.slice((mount?.mountPath.length ?? 0) + 1) ?? '';
  const text = (cm?.data as Record<string, string> | undefined)?.[key];
  if (!text) throw new Error(`${w.name}: --config ${path} is not mounted from a rendered ConfigMap`);
  return { text, parsed: parseYaml(text) as Record<string, unknown> };
}

describe.each(Object.keys(OVERLAYS) as OverlayName[])('overlay %s', (name) => {
  it('renders only objects valid against the Kubernetes schemas, with no unknown fields', () => {
    expect(rendered[name].length).toBeGreaterThan(3);
    expect(validateObjects(rendered[name])).toEqual([]);
  });

  it('gives every container probes, requests and limits, and runs it as non-root', () => {
    expect(workloads(rendered[name]).length).toBeGreaterThan(0);
    expect(checkContainers(rendered[name])).toEqual([]);
  });

  it('uses the one Pharos image, a known service name and a valid config for every container', () => {
    for (const w of workloads(rendered[name])) {
      for (const c of allContainers(w.pod)) expect(c.image).toBe(IMAGE);
      const main = w.pod.containers[0]!;
      expect(w.pod.containers).toHaveLength(1);
      expect(SERVICES).toContain(main.args?.[0]);
      expect(main.args?.[0]).toBe(w.labels['app.kubernetes.io/component']);
      expect(configProblems(configOf(rendered[name], w).text)).toEqual([]);
    }
  });

  it('mounts every tokenFile of the config from the credentials Secret', () => {
    for (const w of workloads(rendered[name])) {
      const c = w.pod.containers[0]!;
      const secretFiles = (c.volumeMounts ?? []).flatMap((m) => {
        const secret = w.pod.volumes?.find((v) => v.name === m.name)?.secret;
        return (secret?.items ?? []).map((item) => `${m.mountPath}/${item.path}`);
      });
      const tokens = (configOf(rendered[name], w).parsed.auth as { tokens?: { tokenFile?: string }[] })?.tokens ?? [];
      expect(tokens.length).toBeGreaterThan(0);
      for (const t of tokens) expect(secretFiles).toContain(t.tokenFile);
    }
  });

  it('has Services and PodDisruptionBudgets that select real pods and ports', () => {
    expect(checkSelectors(rendered[name])).toEqual([]);
  });
});

describe('member overlay', () => {
  it('grants the collector nothing beyond get/list/watch on events, core and events.k8s.io', () => {
    const objects = rendered.member;
    expect(checkEventsOnlyRbac(objects)).toEqual([]);
    expect(grantedPermissions(objects)).toEqual([
      '/events:get',
      '/events:list',
      '/events:watch',
      'events.k8s.io/events:get',
      'events.k8s.io/events:list',
      'events.k8s.io/events:watch',
    ]);
    const binding = byKind(objects, 'ClusterRoleBinding')[0]!;
    const collector = workload(objects, 'collector');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: collector.pod.serviceAccountName, namespace: 'pharos' },
    ]);
  });

  it("points the kube-apiserver's audit webhook kubeconfig at the collector Service's audit intake", () => {
    const kubeconfig = parseYaml(
      readFileSync(join(REPO_ROOT, 'deploy/kubernetes/apiserver/audit-webhook-kubeconfig.yaml'), 'utf8'),
    ) as {
      clusters: { cluster: { server: string } }[];
    };
    const url = new URL(kubeconfig.clusters[0]!.cluster.server);
    expect(url.pathname).toBe('/v1/ingest/audit');
    const svc = byKind(rendered.member, 'Service')[0]!.spec as { type: string; ports: { nodePort?: number }[] };
    expect(svc.type).toBe('NodePort');
    expect(svc.ports.map((p) => p.nodePort)).toContain(Number(url.port));
  });

  it('names its cluster and the Kafka brokers in the collector ConfigMap', () => {
    const cfg = configOf(rendered.member, workload(rendered.member, 'collector')).parsed as {
      collector: { cluster: string; kubernetes: { enabled: boolean; inCluster: boolean } };
      bus: { type: string; brokers: string[] };
    };
    expect(cfg.collector.cluster).toBe('member-1');
    expect(cfg.collector.kubernetes).toEqual({ enabled: true, inCluster: true });
    expect(cfg.bus.type).toBe('kafka');
    expect(cfg.bus.brokers.length).toBeGreaterThan(0);
  });
});

describe('host overlay', () => {
  it('runs several indexers, query and alerting behind Services, and two alerting replicas', () => {
    const objects = rendered.host;
    expect(workload(objects, 'indexer').replicas).toBeGreaterThanOrEqual(2);
    expect(workload(objects, 'alerting').replicas).toBe(2);
    expect(workload(objects, 'query').replicas).toBeGreaterThanOrEqual(2);
    const services = byKind(objects, 'Service').map(
      (s) => (s.spec as { selector: Record<string, string> }).selector['app.kubernetes.io/component'],
    );
    expect(services.sort()).toEqual(['alerting', 'query']);
    expect(workloadsWithoutPdb(objects)).toEqual([]);
  });

  it('shares one Kafka consumer group: every indexer replica runs the same config', () => {
    const cfg = configOf(rendered.host, workload(rendered.host, 'indexer')).parsed as {
      bus: { type: string; partitions: number };
    };
    expect(cfg.bus.type).toBe('kafka');
    expect(workload(rendered.host, 'indexer').replicas).toBeLessThanOrEqual(cfg.bus.partitions);
  });

  it('provisions the rules and dashboards ConfigMaps where alerting.ruleFiles and dashboards.dir look', () => {
    const objects = rendered.host;
    const cmNames = byKind(objects, 'ConfigMap').map((o) => o.metadata.name);
    for (const component of ['query', 'alerting']) {
      const w = workload(objects, component);
      const init = w.pod.initContainers?.[0];
      expect(init?.command).toEqual(['sh', '/app/deploy/docker/provision-files.sh']);
      const volumeOf = (mountPath: string, c: Container | undefined) =>
        w.pod.volumes?.find((v) => v.name === c?.volumeMounts?.find((m) => m.mountPath === mountPath)?.name);
      expect(volumeOf('/etc/pharos/site/rules', init)?.configMap?.name).toMatch(/^pharos-alert-rules-/);
      expect(volumeOf('/etc/pharos/site/dashboards', init)?.configMap?.name).toMatch(/^pharos-dashboards-/);
      for (const cm of ['/etc/pharos/site/rules', '/etc/pharos/site/dashboards'])
        expect(cmNames).toContain(volumeOf(cm, init)?.configMap?.name);
      expect(volumeOf('/app/provisioned', w.pod.containers[0])).toEqual(volumeOf('/app/provisioned', init));
      expect(volumeOf('/app/provisioned', init)).toHaveProperty('emptyDir');
      const cfg = configOf(objects, w).parsed as { alerting: { ruleFiles: string[] }; dashboards: { dir: string } };
      expect(cfg.alerting.ruleFiles).toContain('provisioned/rules/*.yaml');
      expect(cfg.dashboards.dir).toBe('provisioned/dashboards');
    }
  });

  it("lists every member overlay's cluster under clusters, on the same Kafka topics", () => {
    const host = configOf(rendered.host, workload(rendered.host, 'query')).parsed as {
      clusters: { name: string }[];
      bus: { topicPrefix: string };
    };
    for (const member of ['member', 'east'] as const) {
      const cfg = configOf(rendered[member], workload(rendered[member], 'collector')).parsed as {
        collector: { cluster: string };
        bus: { topicPrefix: string };
      };
      expect(host.clusters.map((c) => c.name)).toContain(cfg.collector.cluster);
      expect(cfg.bus.topicPrefix).toBe(host.bus.topicPrefix);
    }
  });
});

describe('a new member cluster (clusters/east)', () => {
  it('differs from the member overlay only in its collector config', () => {
    const cfg = configOf(rendered.east, workload(rendered.east, 'collector')).parsed as {
      collector: { cluster: string };
    };
    expect(cfg.collector.cluster).toBe('east');
    const strip = (objects: K8sObject[]) =>
      JSON.stringify(objects.filter((o) => o.kind !== 'ConfigMap')).replace(
        /pharos-collector-config-[a-z0-9]+/g,
        'pharos-collector-config',
      );
    expect(strip(rendered.east)).toBe(strip(rendered.member));
  });
});
