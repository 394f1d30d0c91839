import { describe, expect, it } from 'vitest';
import { isExactSpanDoc } from './span-check.ts';
import { spanDocSchema } from './span-doc.ts';

/** A span as the collector writes it (libs/traces/spans.normalize.ts), with an event and a link. */
const SPAN = {
  id: `${'a'.repeat(32)}${'b'.repeat(16)}`,
  cluster: 'east',
  namespace: 'pay',
  time: 1_767_225_600_123,
  ingestedAt: 1_767_225_601_000,
  traceId: 'a'.repeat(32),
  spanId: 'b'.repeat(16),
  parentSpanId: 'c'.repeat(16),
  traceState: '',
  name: 'POST /checkout',
  kind: 'SPAN_KIND_SERVER',
  serviceName: 'checkout',
  startTime: '2026-01-01T00:00:00.123456789Z',
  endTime: '2026-01-01T00:00:00.223456789Z',
  durationInNanos: 100_000_000,
  startTimeUnixNano: '1767225600123456789',
  endTimeUnixNano: '1767225600223456789',
  status: { code: 2, message: 'boom' },
  traceGroup: 'GET /',
  attributes: { 'http.route': '/checkout', n: 3, list: [1, 'a'], nested: { k: null } },
  resource: { attributes: { 'service.name': 'checkout' } },
  instrumentationScope: { name: 'bench', version: '1' },
  events: [{ name: 'e', time: '2026-01-01T00:00:00.123456789Z', timeUnixNano: '1767225600123456789', attributes: {} }],
  links: [{ traceId: 'd'.repeat(32), spanId: 'e'.repeat(16), traceState: 'x=1', attributes: { a: 'b' } }],
  droppedAttributesCount: 0,
};

type Json = Record<string, unknown>;
const clone = (): Json => JSON.parse(JSON.stringify(SPAN)) as Json;
const WRONG = [null, 1, 1.5, -1, 2 ** 60, '', 'x', true, [], {}, [{}]];

/** Every variant of SPAN with one value (top level or one level down) replaced, removed or added. */
function variants(): { what: string; value: Json }[] {
  const out: { what: string; value: Json }[] = [];
  const edit = (what: string, change: (s: Json) => void) => {
    const s = clone();
    change(s);
    out.push({ what, value: JSON.parse(JSON.stringify(s)) as Json });
  };
  const paths: string[][] = [];
  for (const [k, v] of Object.entries(SPAN)) {
    paths.push([k]);
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const inner of Object.keys(v)) paths.push([k, inner]);
    if (Array.isArray(v)) for (const inner of Object.keys(v[0] as object)) paths.push([k, '0', inner]);
  }
  for (const path of paths) {
    const at = (s: Json) => path.slice(0, -1).reduce((o, p) => o[p] as Json, s);
    const last = path[path.length - 1] as string;
    edit(`${path.join('.')} removed`, (s) => delete at(s)[last]);
    for (const w of WRONG) edit(`${path.join('.')} = ${JSON.stringify(w)}`, (s) => (at(s)[last] = w));
    edit(`extra key beside ${path.join('.')}`, (s) => (at(s)['extra'] = 1));
  }
  for (const where of ['', 'attributes', 'resource.attributes', 'status', 'events.0.attributes'])
    out.push({
      what: `own __proto__ key in ${where || 'the span'}`,
      value: JSON.parse(
        JSON.stringify(SPAN).replace(
          where === '' ? /^\{/ : new RegExp(`"${where.split('.').pop()}":\\{`),
          (m) => `${m}"__proto__":{"x":1},`,
        ),
      ) as Json,
    });
  edit('no namespace', (s) => delete s['namespace']);
  edit('no status message', (s) => delete (s['status'] as Json)['message']);
  edit('a root span', (s) => (s['parentSpanId'] = ''));
  edit('no traceGroup', (s) => (s['traceGroup'] = null));
  edit('upper-case trace id', (s) => (s['traceId'] = 'A'.repeat(32)));
  edit('short span id', (s) => (s['spanId'] = 'b'.repeat(15)));
  edit('id of 513 characters', (s) => (s['id'] = 'a'.repeat(513)));
  edit('no events or links', (s) => ((s['events'] = []), (s['links'] = [])));
  return out;
}

describe('isExactSpanDoc', () => {
  it('takes a span as the collector writes it', () => {
    expect(isExactSpanDoc(clone())).toBe(true);
  });

  it('is never looser than spanDocSchema, and takes only what the schema keeps whole', () => {
    const all = variants();
    let taken = 0;
    for (const { what, value } of all) {
      if (!isExactSpanDoc(value)) continue;
      taken += 1;
      const parsed = spanDocSchema.safeParse(value);
      expect(parsed.success, what).toBe(true);
      // The schema keeps every key: the text received is the span the store writes.
      expect(JSON.stringify(parsed.data), what).toBe(JSON.stringify(value));
    }
    // It takes the valid variants (optional keys left out, roots, null traceGroup), not only the one span.
    expect(taken).toBeGreaterThan(5);
  });

  it('refuses what the schema would change or refuse: extra keys, wrong types, bad ids', () => {
    const refused = variants().filter(({ value }) => !isExactSpanDoc(value));
    const whats = refused.map((r) => r.what);
    expect(whats).toEqual(
      expect.arrayContaining([
        'extra key beside id',
        'extra key beside status.code',
        'extra key beside events.0.name',
        'own __proto__ key in attributes',
        'own __proto__ key in the span',
        'time = 1.5',
        'traceId = null',
        'upper-case trace id',
        'short span id',
        'id of 513 characters',
        'namespace = null',
      ]),
    );
    expect(isExactSpanDoc(undefined)).toBe(false);
    expect(isExactSpanDoc([clone()])).toBe(false);
    expect(isExactSpanDoc('span')).toBe(false);
  });
});
