import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { TOKENS } from './full-app.ts';

/**
 * Generators of malformed requests: broken JSON, wrong types, huge and negative numbers, invalid PromQL,
 * injection strings, odd Unicode, wrong content types, bad credentials. Built from the app's real route
 * table, so a new endpoint is fuzzed without touching this file.
 */
const INJECTIONS = [
  "' OR '1'='1",
  '"; DROP TABLE state_docs; --',
  '1; SELECT * FROM sqlite_master',
  '{"$gt":""}',
  '{"$where":"1"}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '${7*7}',
  '{{7*7}}',
  '#{7*7}',
  '%00',
  '\u0000',
  '\r\nX-Injected: 1',
  '*',
  '**',
  '*:*',
  'namespace:*',
  'namespace:kube-system OR *',
  'cluster:west',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '\\',
  '"',
  "'",
  '`',
  '|',
  '$(id)',
  'tok_',
  'tok_../../x',
  '%',
  '%zz',
  '%E0%A4%A',
  ' ',
  '\t',
  '',
];
const UNICODE = [
  '\u202Epayments',
  'pаyments',
  'ｐａｙｍｅｎｔｓ',
  'Z̴̡̪͙̍a̶̖͊l̵̺̓g̸̱̓ȍ̸̜',
  '🔥💥',
  '\uFEFF',
  '\u200B',
  '\uD800',
  '\uDFFF',
  'ß',
  'İ',
  '名前空間',
];
const NUMBERS = [
  '-1',
  '0',
  '-0',
  '1e309',
  '-1e309',
  'NaN',
  'Infinity',
  '-Infinity',
  '9'.repeat(400),
  '0x10',
  '1_000',
  '1.5',
  '-99999999999999999999',
  '9007199254740993',
  '2147483648',
  '1e-400',
  '.5',
  '5.',
  '+1',
  '00001',
  '1e3',
  '4294967296000',
];
const PROMQL = [
  'sum(',
  'rate(x[5m)',
  '{',
  '}',
  'x{a=~"("}',
  'x offset',
  '1 +',
  'x[5m][5m]',
  'label_replace(x)',
  '"unterminated',
  '@',
  'x @ foo()',
  'x{namespace=~".*"} or on() vector(1)',
  'absent(',
  'sum by (',
  'topk(-1, x)',
  'x[0s]',
  'x[-5m]',
  'rate(x[5m])[1h:-1m]',
  'x{__name__=~""}',
  '{}',
  'count_values("", x)',
  'histogram_quantile(a, b)',
  'x and',
  '((((((((((x))))))))))',
  'sum('.repeat(200),
  'x' + '[5m]'.repeat(50),
  'label_replace(up, "namespace", "kube-system", "", "")',
  'x{a="\\x00"}',
  '1/0',
  'vector(1e309)',
  'scalar(x) @ start()',
];
const HUGE = ['a'.repeat(20_000), 'x,'.repeat(5_000), '{'.repeat(3_000)];

const nasty: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...INJECTIONS) },
  { weight: 2, arbitrary: fc.constantFrom(...UNICODE) },
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...PROMQL) },
  { weight: 1, arbitrary: fc.constantFrom(...HUGE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  {
    weight: 1,
    arbitrary: fc
      .date({ noInvalidDate: false })
      .map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  },
);

const PARAM_NAMES = [
  'query',
  'q',
  'time',
  'start',
  'end',
  'step',
  'timeout',
  'match[]',
  'limit',
  'cursor',
  'size',
  'sort',
  'order',
  'from',
  'to',
  'since',
  'until',
  'cluster',
  'namespace',
  'pod',
  'container',
  'node',
  'verb',
  'user',
  'group',
  'code',
  'by',
  'interval',
  'format',
  'field',
  'principal',
  'role',
  'method',
  'route',
  'outcome',
  'name',
  'id',
  'dedup',
  'partial_response',
  'var-namespace',
  '__proto__',
  'constructor',
];

const queryArb = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PARAM_NAMES), fc.string({ maxLength: 10 })), nasty), {
  maxLength: 6,
});

const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record(
    { name: nasty, role: fc.oneof(nasty, fc.constantFrom('admin', 'viewer')), scope: fc.jsonValue({ maxDepth: 2 }) },
    { requiredKeys: [] },
  ),
  fc.dictionary(
    fc.constantFrom(
      ...PARAM_NAMES,
      'items',
      'kind',
      'apiVersion',
      'message',
      'title',
      'panels',
      'expr',
      'matchers',
      'rules',
    ),
    fc.oneof(nasty, fc.jsonValue({ maxDepth: 3 })),
  ),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
);

const BROKEN_BODIES = [
  '{',
  '{"a":',
  '[1,2',
  '{"a":1}}',
  'nul',
  "{'a':1}",
  '{"a":1,}',
  '',
  ' ',
  '\u0000',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '['.repeat(10_000),
  '{"a":'.repeat(2_000),
  '"\\ud800"',
  '1e309',
  '-0',
  '{"limit":1e309}',
  '{"limit":-1}',
  '{"size":99999999999}',
  '\uFEFF{}',
  '{"a":"\\u0000"}',
  '<?xml version="1.0"?><a/>',
  '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--',
];

/**
 * Issue 15: YAML that would stall or crash a parser (an alias bomb, nesting past the stack), audit lists of
 * another version or kind, JSON that belongs in application/json.
 */
export const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
].join('\n');
const HOSTILE_BODIES = [
  ALIAS_BOMB,
  `title: x\nrows: [*a]\n${ALIAS_BOMB}`,
  '- '.repeat(5_000),
  `a:\n${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x`,
  '['.repeat(3_000),
  `title: "${'x'.repeat(300_000)}"`,
  'title: !!binary AAAA\nrows: *undefined_alias',
  JSON.stringify({
    kind: 'EventList',
    apiVersion: 'audit.k8s.io/v2',
    items: [{ auditID: 'fz', stage: 'ResponseComplete', requestReceivedTimestamp: '2024-01-01T00:00:00Z' }],
  }),
  JSON.stringify({ kind: 'PodList', apiVersion: 'v1', items: [] }),
  JSON.stringify({ kind: 'Event', apiVersion: 'audit.k8s.io/v2', auditID: 'fz', stage: 'ResponseComplete' }),
];

const bodyArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_BODIES) },
  { weight: 3, arbitrary: fc.constantFrom(...BROKEN_BODIES) },
  { weight: 4, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? 'null') },
  {
    weight: 1,
    arbitrary: fc
      .array(
        jsonish.map((v) => JSON.stringify(v) ?? ''),
        { maxLength: 5 },
      )
      .map((l) => l.join('\n')),
  },
  { weight: 1, arbitrary: nasty },
);

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json',
  'text/plain',
  'application/x-ndjson',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-16',
  'application/json; charset=ascii',
  '*/*',
  'application/octet-stream',
  'text/html',
  'application/json, text/plain',
  'json',
  '',
  'application/yaml',
  'application/x-yaml',
  'text/yaml',
  'text/plain; charset=utf-8',
];

const authArb: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 10, arbitrary: fc.constant(`Bearer ${TOKENS.admin}`) },
  { weight: 3, arbitrary: fc.constant(`Bearer ${TOKENS.viewer}`) },
  { weight: 2, arbitrary: fc.constant(`Bearer ${TOKENS.editor}`) },
  { weight: 1, arbitrary: fc.constant(`Bearer ${TOKENS.eastViewer}`) },
  { weight: 2, arbitrary: fc.constant(`Bearer ${TOKENS.ingest}`) },
  { weight: 1, arbitrary: fc.constant(`Basic ${Buffer.from(`x:${TOKENS.admin}`).toString('base64')}`) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.constant(undefined),
      fc.constant('Bearer '),
      fc.constant('Basic !!!'),
      fc.constant('Bearer a.b.c'),
      fc.constant(`Bearer ${'x'.repeat(20_000)}`),
      fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwicGhhcm9zX3JvbGUiOiJhZG1pbiJ9.'),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => `Bearer ${s}`),
    ),
  },
);

export interface Route {
  method: string;
  url: string;
}

/** Fills `:param` and `*` segments with nasty values, encoded or sometimes raw. */
const pathArb = (url: string): fc.Arbitrary<string> => {
  const params = url.match(/:[A-Za-z0-9_]+|\*/g) ?? [];
  if (params.length === 0) return fc.constant(url);
  return fc
    .tuple(fc.array(nasty, { minLength: params.length, maxLength: params.length }), fc.boolean())
    .map(([values, raw]) => {
      let i = 0;
      return url.replace(/:[A-Za-z0-9_]+|\*/g, () => {
        const v = values[i++] ?? '';
        return raw ? v.replace(/[/?#\s]/g, '') || 'x' : encodeURIComponent(v.replace(/[\uD800-\uDFFF]/g, '?')) || 'x';
      });
    });
};

function encodeQuery(pairs: ReadonlyArray<readonly [string, string]>, raw: boolean): string {
  if (pairs.length === 0) return '';
  const enc = (s: string) => (raw ? s.replace(/[&#\s]/g, '') : encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, '?')));
  return `?${pairs.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}`;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** One malformed request aimed at one of `routes` (or, now and then, at a path that does not exist). */
export function requestArb(routes: readonly Route[]): fc.Arbitrary<InjectOptions> {
  const target = fc.oneof(
    { weight: 19, arbitrary: fc.constantFrom(...routes) },
    {
      weight: 1,
      arbitrary: fc.record({
        method: fc.constantFrom(...METHODS),
        url: fc.constantFrom(
          '/v1/nothing',
          '/prometheus/api/v1/nothing',
          '/v1/admin',
          '/%',
          '/v1/admin/tokens/%E0%A4%A',
        ),
      }),
    },
  );
  return fc
    .record({
      route: target,
      otherMethod: fc.option(fc.constantFrom(...METHODS), { freq: 10 }),
      query: queryArb,
      rawQuery: fc.boolean(),
      body: fc.option(bodyArb, { freq: 4 }),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      auth: authArb,
    })
    .chain((r) => pathArb(r.route.url).map((path) => ({ ...r, path })))
    .map((r): InjectOptions => {
      const method = (r.otherMethod ?? r.route.method) as InjectOptions['method'];
      const headers: Record<string, string> = {};
      if (r.auth !== undefined) headers.authorization = r.auth;
      const withBody = method !== 'GET' && method !== 'OPTIONS' && r.body !== null;
      if (withBody && r.contentType) headers['content-type'] = r.contentType;
      return {
        method,
        url: `${r.path}${encodeQuery(r.query, r.rawQuery)}`,
        headers,
        ...(withBody ? { payload: r.body as string } : {}),
      };
    });
}
