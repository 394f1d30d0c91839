import { SignJWT } from 'jose';
import type { Scope } from '../../../libs/auth/principal.ts';
import { FIXTURE_START } from '../../fixtures/prometheus/generate.ts';
import { TOKENS, type FullApp } from './full-app.ts';

/**
 * The scoped fixtures of the scope contract (scope-contract.int.test.ts): one token per kind of scope, and
 * the rule every API must follow, written once here from docs/security.md ("Scope").
 */
export const JWT_SECRET = 'scope-contract-secret-of-32-characters!!';

export const SCOPES = {
  admin: { clusters: ['*'], namespaces: ['*'] },
  all: { clusters: ['*'], namespaces: ['*'] },
  payments: { clusters: ['*'], namespaces: ['payments'] },
  eastPayments: { clusters: ['east'], namespaces: ['payments'] },
  several: { clusters: ['east', 'west'], namespaces: ['payments', 'kube-system'] },
  eastAll: { clusters: ['east'], namespaces: ['*'] },
} as const satisfies Record<string, Scope>;
export type TokenName = keyof typeof SCOPES;
export const SCOPED: readonly TokenName[] = ['all', 'payments', 'eastPayments', 'several', 'eastAll'];

const tokenOf = (name: TokenName) => `contract-${name}-token-0123456789`;

/** Configured tokens: admin, and an editor (reads, and makes dashboards) per scope. */
export function contractTokens(): unknown[] {
  return [
    // records-seed.ts ingests with the full app's admin token.
    { name: 'seed-admin', token: TOKENS.admin, role: 'admin' },
    ...Object.entries(SCOPES).map(([name, scope]) =>
      name === 'admin'
        ? { name, token: tokenOf(name), role: 'admin' }
        : { name, token: tokenOf(name as TokenName), role: 'editor', scope },
    ),
  ];
}

export const as = (name: TokenName) => ({ authorization: `Bearer ${tokenOf(name)}` });

/** JWTs whose scope lists nothing in one or both lists: they grant nothing, on every API (403). */
export const EMPTY_SCOPES = [
  { clusters: ['*'], namespaces: [] },
  { clusters: [], namespaces: ['*'] },
] as const;

export const emptyJwt = async (scope: object, sub: string) => ({
  authorization: `Bearer ${await new SignJWT({ pharos_role: 'viewer', pharos_scope: scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('pharos-contract')
    .setAudience('pharos')
    .setSubject(sub)
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(JWT_SECRET))}`,
});

export const jwtConfig = {
  issuer: 'pharos-contract',
  audience: 'pharos',
  algorithms: ['HS256'],
  secret: JWT_SECRET,
};

/**
 * What one piece of data is about, as `cluster/namespace`: `-` for no namespace (node-level series, cluster-
 * scoped events and audit, spans without `k8s.namespace.name`), `*` for an object that spans every cluster or
 * namespace (an unconfined silence, a rule group), `a+b` for an object about several pairs.
 */
export type Key = string;
export const key = (cluster: string | undefined, namespace: string | undefined): Key =>
  `${cluster ?? '*'}/${namespace === undefined || namespace === '' ? '-' : namespace}`;

/**
 * The one rule (docs/security.md, Scope): data is visible when its cluster and its namespace are each in the
 * scope (`*` in the scope covers every value). A list of the data that is `-` (no namespace) or `*` (every
 * value) is covered only by `*`. `global` marks a stored definition that is visible to every scope
 * (dashboards); its data is scoped when it is rendered.
 */
export function allows(scope: Scope, k: Key): boolean {
  if (k === 'global') return true;
  return k.split('+').every((pair) => {
    const [c, n] = pair.split('/') as [string, string];
    const inList = (list: readonly string[], v: string) =>
      list.includes('*') || (v !== '*' && v !== '-' && list.includes(v));
    return inList(scope.clusters, c) && inList(scope.namespaces, n);
  });
}

/** Instant queries evaluate inside the fixture Prometheus window. */
export const AT = FIXTURE_START + 3600;
export const RANGE = { start: FIXTURE_START + 3600, end: FIXTURE_START + 3900, step: 60 };

/** Pods by cluster and namespace, plus node-level series (no namespace) by cluster. */
export const POD_AND_NODE_QUERY =
  'count by (cluster, namespace) (kube_pod_info) or count by (cluster) (node_cpu_seconds_total)';

/** Spans, one trace per key: namespaced, another cluster, and one without a namespace. */
export const SPAN_KEYS: readonly Key[] = [
  'east/payments',
  'east/kube-system',
  'west/payments',
  'west/shop',
  'north/payments',
  'east/-',
];
export const serviceOf = (k: Key) => `svc-${k.replace('/', '-')}`;
export const keyOfService = (s: string): Key => {
  const [, c, ...n] = s.split('-');
  return `${c}/${n.join('-')}`;
};
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
export const traceIdOf = (i: number) => hex(0xc0de0000 + i, 32);

export async function seedSpans(full: FullApp, nowMs: number): Promise<void> {
  const attr = (k: string, v: string) => ({ key: k, value: { stringValue: v } });
  const resourceSpans = SPAN_KEYS.map((k, i) => {
    const [c, n] = k.split('/') as [string, string];
    const start = BigInt(nowMs - 60_000 + i * 1000) * 1_000_000n;
    return {
      resource: {
        attributes: [
          attr('service.name', serviceOf(k)),
          attr('k8s.cluster.name', c),
          ...(n === '-' ? [] : [attr('k8s.namespace.name', n)]),
        ],
      },
      scopeSpans: [
        {
          spans: [
            {
              traceId: traceIdOf(i),
              spanId: hex(i + 1, 16),
              name: 'GET /contract',
              kind: 2,
              startTimeUnixNano: String(start),
              endTimeUnixNano: String(start + 5_000_000n),
            },
          ],
        },
      ],
    };
  });
  const res = await full.app.inject({
    method: 'POST',
    url: '/otlp/v1/traces',
    headers: { ...as('admin'), 'content-type': 'application/json' },
    payload: { resourceSpans },
  });
  if (res.statusCode !== 200) throw new Error(`span seeding failed: ${res.statusCode} ${res.body}`);
}

/** Alerts sent to the Alertmanager API: namespaced ones, and a node-level one without a namespace. */
export const ALERT_KEYS: readonly Key[] = [
  'east/payments',
  'west/payments',
  'east/kube-system',
  'west/kube-system',
  'north/payments',
  'east/-',
];

/** A rule firing an alert of one key (rule labels become the alert's labels). */
export const ruleOf = (k: Key) => {
  const [cluster, ns] = k.split('/') as [string, string];
  return { alert: 'ContractRule', expr: 'vector(1)', labels: { cluster, ...(ns === '-' ? {} : { namespace: ns }) } };
};

/** Silences an admin makes (global objects), each confined by its matchers to the keys it names. */
export const SILENCES: ReadonlyArray<{ key: Key; matchers: Array<{ name: string; value: string; isRegex: boolean }> }> =
  [
    { key: '*/payments', matchers: [{ name: 'namespace', value: 'payments', isRegex: false }] },
    {
      key: 'east/payments',
      matchers: [
        { name: 'cluster', value: 'east', isRegex: false },
        { name: 'namespace', value: 'payments', isRegex: false },
      ],
    },
    { key: '*/kube-system', matchers: [{ name: 'namespace', value: 'kube-system', isRegex: false }] },
    {
      key: 'east/payments+east/kube-system+west/payments+west/kube-system',
      matchers: [
        { name: 'cluster', value: 'east|west', isRegex: true },
        { name: 'namespace', value: 'payments|kube-system', isRegex: true },
      ],
    },
    { key: '*/*', matchers: [{ name: 'alertname', value: 'ContractProbe', isRegex: false }] },
  ];

/** The dashboard each token makes keeps the token's scope (global for unrestricted ones), as a Key. */
export const DASHBOARD_KEYS: Readonly<Record<TokenName, Key>> = {
  admin: 'global',
  all: 'global',
  payments: '*/payments',
  eastPayments: 'east/payments',
  several: 'east/payments+east/kube-system+west/payments+west/kube-system',
  eastAll: 'east/*',
};

export const dashboardOf = (name: TokenName) => ({
  id: `contract-${name.toLowerCase()}`,
  title: `Contract ${name}`,
  rows: [
    {
      panels: [
        { type: 'table', title: 'Pods', targets: [{ expr: POD_AND_NODE_QUERY, instant: true }] },
        { type: 'logs', title: 'Logs', targets: [{ datasource: 'logs', limit: 1000 }] },
      ],
    },
  ],
});
