import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  healthcheck,
  LocalDeployment,
  runInImage,
  waitFor,
  type PharosService,
} from '../../../scripts/deploy/image-layout.ts';

/**
 * The four services started as the Kubernetes manifests start them (scripts/deploy/image-layout.ts says
 * exactly what differs on one machine), against the real Kafka and OpenSearch.
 */

const SERVICES: PharosService[] = ['collector', 'indexer', 'query', 'alerting'];
let deployment: LocalDeployment;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  deployment = await LocalDeployment.prepare(`it-deploy-${Date.now().toString(36)}`);
  // One after the other, as a rollout usually goes: two processes creating the same new Kafka topics at
  // once have been seen to fail the indexer's start (kafkajs createTopics waitForLeaders).
  for (const svc of SERVICES) {
    await deployment.start(svc);
    await deployment.waitReady(svc, 180_000);
  }
}, 300_000);

afterAll(async () => {
  await deployment?.dispose();
});

describe('services started as the Kubernetes manifests start them', () => {
  it("run the image's compiled JavaScript on plain node, with no TypeScript file and no dev dependency in the layout", () => {
    const files = (readdirSync(deployment.layout.app, { recursive: true }) as string[]).filter(
      (f) => !f.startsWith('node_modules'),
    );
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);
    expect(files).toContain('services/main.js.map');
    const modules = readdirSync(join(deployment.layout.app, 'node_modules'));
    for (const dev of ['tsx', 'typescript', 'vitest', 'esbuild']) expect(modules).not.toContain(dev);
    for (const svc of SERVICES) {
      const argv = readFileSync(`/proc/${deployment.services[svc]!.proc.child.pid}/cmdline`, 'utf8')
        .split('\0')
        .filter(Boolean);
      expect(argv.slice(1, 4), svc).toEqual(['--enable-source-maps', 'services/main.js', svc]);
    }
  });

  it('carries an audit event from the kube-apiserver webhook through Kafka and OpenSearch to the Query API', async () => {
    const auditID = `${deployment.run}-audit-1`;
    const now = new Date().toISOString();
    const eventList = {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      items: [
        {
          kind: 'Event',
          apiVersion: 'audit.k8s.io/v1',
          level: 'Request',
          auditID,
          stage: 'ResponseComplete',
          requestURI: '/api/v1/namespaces/shop/configmaps',
          verb: 'create',
          user: { username: 'alice@example.com', groups: ['system:authenticated'] },
          sourceIPs: ['10.0.0.7'],
          objectRef: { resource: 'configmaps', namespace: 'shop', name: 'settings', apiVersion: 'v1' },
          responseStatus: { metadata: {}, code: 201 },
          requestReceivedTimestamp: now,
          stageTimestamp: now,
        },
      ],
    };
    const posted = await fetch(deployment.url('collector', '/v1/ingest/audit'), {
      method: 'POST',
      headers: { ...bearer(deployment.tokens['ingest-token']), 'content-type': 'application/json' },
      body: JSON.stringify(eventList),
    });
    expect(posted.ok, await posted.clone().text()).toBe(true);

    const found = await waitFor(
      'the audit record in the Query API',
      async () => {
        const res = await fetch(deployment.url('query', '/v1/audit?cluster=member-1&verb=create'), {
          headers: bearer(deployment.tokens['viewer-token']),
        });
        const body = (await res.json()) as { items?: { auditID: string; cluster: string; user?: string }[] };
        return body.items?.find((i) => i.auditID === auditID);
      },
      { timeoutMs: 90_000, context: () => deployment.output() },
    );
    expect(found).toMatchObject({ cluster: 'member-1', user: 'alice@example.com' });
  });

  it("loads the image's built-in and the site's dashboards and rules, provisioned by the init container", async () => {
    const admin = bearer(deployment.tokens['admin-token']);
    const dashboards = (await (await fetch(deployment.url('query', '/v1/dashboards'), { headers: admin })).json()) as {
      dashboards: { id: string }[];
    };
    const ids = dashboards.dashboards.map((d) => d.id);
    expect(ids).toContain('site-example');
    expect(ids).toContain('cluster-overview');

    const rules = (await (await fetch(deployment.url('alerting', '/v1/alert-rules'), { headers: admin })).json()) as {
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
      runInImage(deployment.layout, healthcheck(), {
        PHAROS_CONFIG: deployment.layout.path('/etc/pharos/pharos.yaml'),
        PHAROS_SERVER__PORT: String(port),
      }).exited;
    expect(await check(deployment.services.query!.port)).toBe(0);
    expect(await check(await freePort())).toBe(1);
  });

  it('stops every service cleanly on SIGTERM, as the kubelet stops a pod', async () => {
    const codes = await deployment.stop();
    expect(codes, deployment.output()).toEqual({ collector: 0, indexer: 0, query: 0, alerting: 0 });
  });
});
