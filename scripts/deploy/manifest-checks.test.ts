import { describe, expect, it } from 'vitest';
import { validateObject } from './k8s-schema.ts';
import type { K8sObject } from './kustomize.ts';
import {
  checkContainers,
  checkEventsOnlyRbac,
  checkSelectors,
  grantedPermissions,
  workloadsWithoutPdb,
} from './manifest-checks.ts';

// The checks run over real renders in manifests.test.ts; here each one is shown to catch what it claims to.

const labels = { app: 'x' };
function deployment(
  mutate: (container: Record<string, unknown>, pod: Record<string, unknown>) => void = () => {},
): K8sObject {
  const container: Record<string, unknown> = {
    name: 'c',
    image: 'img:1',
    ports: [{ name: 'http', containerPort: 8080 }],
    livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
    readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
  };
  const pod: Record<string, unknown> = {
    securityContext: { runAsNonRoot: true, runAsUser: 1000 },
    containers: [container],
  };
  mutate(container, pod);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd' },
    spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: pod } },
  };
}

describe('validateObject', () => {
  it('accepts a valid Deployment', () => {
    expect(validateObject(deployment())).toEqual([]);
  });

  it('reports a misspelt field the JSON schema alone would accept', () => {
    const d = deployment((c) => {
      c.livenesProbe = c.livenessProbe;
    });
    expect(validateObject(d)).toEqual(['unknown field "spec.template.spec.containers[0].livenesProbe"']);
  });

  it('reports schema violations: a missing required field and a bad quantity', () => {
    const problems = validateObject(
      deployment((c, pod) => {
        delete pod.containers;
        c.resources = { limits: { cpu: {} } };
      }),
    );
    expect(problems.join('\n')).toMatch(/containers/);
  });

  it('reports a kind it has no schema for', () => {
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'no schema for example.com/v1 Widget',
    ]);
  });
});

describe('checkContainers', () => {
  it('passes a container with probes, requests, limits and a non-root context', () => {
    expect(checkContainers([deployment()])).toEqual([]);
  });

  it.each([
    ['no liveness probe', (c: Record<string, unknown>) => delete c.livenessProbe, 'livenessProbe must GET /healthz'],
    [
      'readiness on the wrong path',
      (c: Record<string, unknown>) => (c.readinessProbe = { httpGet: { path: '/healthz', port: 'http' } }),
      'readinessProbe must GET /readyz',
    ],
    [
      'a probe on an undeclared port',
      (c: Record<string, unknown>) => (c.livenessProbe = { httpGet: { path: '/healthz', port: 9999 } }),
      'probe port 9999 is not a container port',
    ],
    [
      'no memory limit',
      (c: Record<string, unknown>) => (c.resources = { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1' } }),
      'no limits.memory',
    ],
    [
      'privilege escalation allowed',
      (c: Record<string, unknown>) => (c.securityContext = { capabilities: { drop: ['ALL'] } }),
      'allowPrivilegeEscalation is not false',
    ],
  ])('reports %s', (_, mutate, problem) => {
    expect(checkContainers([deployment((c) => void mutate(c))])).toEqual([`Deployment/d container c: ${problem}`]);
  });

  it('holds init containers to everything but probes, which the API refuses on them', () => {
    const withInit = deployment((c, pod) => {
      pod.initContainers = [
        {
          ...c,
          name: 'init',
          livenessProbe: undefined,
          readinessProbe: undefined,
          resources: { requests: { cpu: '10m', memory: '16Mi' } },
        },
      ];
    });
    expect(checkContainers([withInit])).toEqual([
      'Deployment/d container init: no limits.cpu',
      'Deployment/d container init: no limits.memory',
    ]);
  });

  it('reports root: runAsNonRoot overridden by the container, or uid 0', () => {
    const root = deployment((c) => {
      c.securityContext = {
        runAsNonRoot: false,
        runAsUser: 0,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      };
    });
    expect(checkContainers([root])).toEqual([
      'Deployment/d container c: runAsNonRoot is not true',
      'Deployment/d container c: runAsUser is 0',
    ]);
  });
});

describe('checkEventsOnlyRbac', () => {
  const role = (rules: unknown[]): K8sObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'r' },
    rules,
  });
  const binding = (name: string): K8sObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'b' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [],
  });
  const eventsReader = { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['get', 'list', 'watch'] };

  it('accepts reading events in both groups', () => {
    expect(checkEventsOnlyRbac([role([eventsReader]), binding('r')])).toEqual([]);
    expect(grantedPermissions([role([eventsReader])])).toHaveLength(6);
  });

  it.each([
    ['a write verb', { ...eventsReader, verbs: ['get', 'create'] }, 'create'],
    ['another resource', { ...eventsReader, resources: ['events', 'pods'] }, 'pods'],
    ['a wildcard', { apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, '*, *, *'],
  ])('reports %s', (_, rule, what) => {
    expect(checkEventsOnlyRbac([role([rule])])).toEqual([
      `ClusterRole/r rule 0: grants beyond reading events: ${what}`,
    ]);
  });

  it('reports a binding to a role outside the render, such as cluster-admin', () => {
    expect(checkEventsOnlyRbac([role([eventsReader]), binding('cluster-admin')])).toEqual([
      'ClusterRoleBinding/b: binds ClusterRole/cluster-admin, which is not the events-reader role',
    ]);
  });
});

describe('checkSelectors and workloadsWithoutPdb', () => {
  const service = (selector: Record<string, string>, targetPort: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's' },
    spec: { selector, ports: [{ port: 80, targetPort }] },
  });
  const pdb: K8sObject = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'p' },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  };

  it('passes a Service and a PDB that select the pods', () => {
    expect(checkSelectors([deployment(), service(labels, 'http'), pdb])).toEqual([]);
    expect(workloadsWithoutPdb([deployment(), pdb])).toEqual([]);
  });

  it('reports a Service selecting nothing, a missing target port, and an uncovered multi-replica workload', () => {
    expect(checkSelectors([deployment(), service({ app: 'y' }, 'http')])).toEqual(['Service/s: selects no workload']);
    expect(checkSelectors([deployment(), service(labels, 'grpc')])).toEqual([
      'Service/s: targetPort grpc is not a port of d',
    ]);
    expect(workloadsWithoutPdb([deployment()])).toEqual(['Deployment/d']);
  });
});
