import type { K8sObject } from './kustomize.ts';

/**
 * Policy checks over rendered manifests, beyond schema validity: what the deploy issue promises about every
 * container and about the collector's RBAC. Each returns one line per problem; empty means it holds.
 */

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  volumeMounts?: VolumeMount[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: SecurityContext;
}
interface Probe {
  httpGet?: { path?: string; port: number | string };
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
}
export interface PodSpec {
  serviceAccountName?: string;
  containers: Container[];
  initContainers?: Container[];
  securityContext?: SecurityContext;
  volumes?: {
    name: string;
    configMap?: { name: string };
    secret?: { secretName: string; items?: { key: string; path: string }[] };
    emptyDir?: object;
  }[];
}
export interface Workload {
  kind: string;
  name: string;
  replicas: number;
  labels: Record<string, string>;
  pod: PodSpec;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function workloads(objects: readonly K8sObject[]): Workload[] {
  return objects
    .filter((o) => WORKLOAD_KINDS.has(o.kind))
    .map((o) => {
      const spec = o.spec as {
        replicas?: number;
        template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
      };
      return {
        kind: o.kind,
        name: o.metadata.name,
        replicas: spec.replicas ?? 1,
        labels: spec.template.metadata?.labels ?? {},
        pod: spec.template.spec,
      };
    });
}

export const allContainers = (pod: PodSpec): Container[] => [...(pod.initContainers ?? []), ...pod.containers];

/**
 * Probes on /healthz and /readyz, requests and limits for cpu and memory, non-root without escalation.
 * Init containers run to completion before the pod starts, and the API refuses probes on them, so they
 * are held to everything but the probes.
 */
export function checkContainers(objects: readonly K8sObject[]): string[] {
  return workloads(objects).flatMap((w) =>
    allContainers(w.pod).flatMap((c) => {
      const isInit = w.pod.initContainers?.includes(c) ?? false;
      return containerProblems(w.pod, c, isInit).map((p) => `${w.kind}/${w.name} container ${c.name}: ${p}`);
    }),
  );
}

function containerProblems(pod: PodSpec, c: Container, isInit: boolean): string[] {
  const problems: string[] = [];
  if (!isInit && c.livenessProbe?.httpGet?.path !== '/healthz') problems.push('livenessProbe must GET /healthz');
  if (!isInit && c.readinessProbe?.httpGet?.path !== '/readyz') problems.push('readinessProbe must GET /readyz');
  for (const probe of [c.livenessProbe, c.readinessProbe]) {
    const port = probe?.httpGet?.port;
    if (port !== undefined && !c.ports?.some((p) => p.name === port || p.containerPort === port))
      problems.push(`probe port ${port} is not a container port`);
  }
  for (const section of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory'])
      if (!c.resources?.[section]?.[resource]) problems.push(`no ${section}.${resource}`);
  }
  const sc = { ...pod.securityContext, ...c.securityContext };
  if (sc.runAsNonRoot !== true) problems.push('runAsNonRoot is not true');
  if (sc.runAsUser === 0) problems.push('runAsUser is 0');
  if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push('allowPrivilegeEscalation is not false');
  if (!c.securityContext?.capabilities?.drop?.includes('ALL')) problems.push('capabilities do not drop ALL');
  return problems;
}

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const EVENT_GROUPS = ['', 'events.k8s.io'];
const READ_VERBS = ['get', 'list', 'watch'];
const ROLE_KINDS = new Set(['Role', 'ClusterRole']);
const BINDING_KINDS = new Set(['RoleBinding', 'ClusterRoleBinding']);

/**
 * Every role in the render grants at most get/list/watch on `events` (core and events.k8s.io), and every
 * binding points at one of those roles, never at a built-in one such as `view` or `cluster-admin`.
 */
export function checkEventsOnlyRbac(objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const roles = objects.filter((o) => ROLE_KINDS.has(o.kind));
  for (const role of roles) {
    const where = `${role.kind}/${role.metadata.name}`;
    if (role.aggregationRule) problems.push(`${where}: aggregationRule pulls in other roles' rules`);
    ((role.rules as PolicyRule[] | undefined) ?? []).forEach((rule, i) => {
      const outside = (list: string[] | undefined, allowed: string[]) =>
        (list ?? []).filter((x) => !allowed.includes(x));
      const bad = [
        ...outside(rule.apiGroups, EVENT_GROUPS),
        ...outside(rule.resources, ['events']),
        ...outside(rule.verbs, READ_VERBS),
      ];
      if (bad.length) problems.push(`${where} rule ${i}: grants beyond reading events: ${bad.join(', ')}`);
      if (rule.nonResourceURLs?.length) problems.push(`${where} rule ${i}: grants nonResourceURLs`);
    });
  }
  for (const b of objects.filter((o) => BINDING_KINDS.has(o.kind))) {
    const ref = b.roleRef as { kind: string; name: string };
    if (!roles.some((r) => r.kind === ref.kind && r.metadata.name === ref.name)) {
      problems.push(`${b.kind}/${b.metadata.name}: binds ${ref.kind}/${ref.name}, which is not the events-reader role`);
    }
  }
  return problems;
}

/** What the roles grant, as "group/resource:verb" strings, for asserting the positive side too. */
export function grantedPermissions(objects: readonly K8sObject[]): string[] {
  const out = new Set<string>();
  for (const role of objects.filter((o) => ROLE_KINDS.has(o.kind))) {
    for (const rule of (role.rules as PolicyRule[] | undefined) ?? []) {
      for (const g of rule.apiGroups ?? [])
        for (const r of rule.resources ?? []) for (const v of rule.verbs ?? []) out.add(`${g}/${r}:${v}`);
    }
  }
  return [...out].sort();
}

const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Each Service and PodDisruptionBudget selects the pods of some workload; Service target ports exist. */
export function checkSelectors(objects: readonly K8sObject[]): string[] {
  const all = workloads(objects);
  const problems: string[] = [];
  for (const svc of objects.filter((o) => o.kind === 'Service')) {
    const spec = svc.spec as {
      selector?: Record<string, string>;
      ports: { targetPort?: number | string; port: number }[];
    };
    const target = all.find((w) => selects(spec.selector, w.labels));
    if (!target) problems.push(`Service/${svc.metadata.name}: selects no workload`);
    for (const port of spec.ports) {
      const tp = port.targetPort ?? port.port;
      const found = target?.pod.containers.some((c) => c.ports?.some((p) => p.name === tp || p.containerPort === tp));
      if (target && !found)
        problems.push(`Service/${svc.metadata.name}: targetPort ${tp} is not a port of ${target.name}`);
    }
  }
  for (const pdb of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
    const sel = (pdb.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels;
    if (!all.some((w) => selects(sel, w.labels)))
      problems.push(`PodDisruptionBudget/${pdb.metadata.name}: selects no workload`);
  }
  return problems;
}

/** The workloads with more than one replica that no PodDisruptionBudget covers. */
export function workloadsWithoutPdb(objects: readonly K8sObject[]): string[] {
  const pdbSelectors = objects
    .filter((o) => o.kind === 'PodDisruptionBudget')
    .map((o) => (o.spec as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels);
  return workloads(objects)
    .filter((w) => w.replicas > 1 && !pdbSelectors.some((s) => selects(s, w.labels)))
    .map((w) => `${w.kind}/${w.name}`);
}
