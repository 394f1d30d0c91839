import { describe, expect, it } from 'vitest';
import { busDocSchemaByKind, docSchemaByKind, isStringMap } from './records.ts';

const doc = {
  id: 'a1',
  kind: 'logs',
  cluster: 'east',
  time: 1,
  ingestedAt: 2,
  message: 'hello',
  labels: { app: 'cart' },
  attributes: { 'k8s.pod.label.app': 'cart', 'otel.scope.name': 'bench' },
};

describe('busDocSchemaByKind', () => {
  // What JSON.parse can make of a record's maps off the bus: each accepted or refused as the stored schema does.
  const maps: unknown[] = [
    {},
    { a: 'x', 'b.c': '' },
    { a: 1 },
    { a: null },
    { a: ['x'] },
    { a: { b: 'x' } },
    [],
    ['x'],
    'text',
    3,
    null,
    true,
  ];

  it.each(maps.map((m) => [JSON.stringify(m), m]))('accepts the map %s exactly when docSchemaByKind does', (_, map) => {
    for (const field of ['labels', 'attributes']) {
      const input = JSON.parse(JSON.stringify({ ...doc, [field]: map })) as unknown;
      const expected = docSchemaByKind.logs.safeParse(input);
      const actual = busDocSchemaByKind.logs.safeParse(input);
      expect(actual.success).toBe(expected.success);
      if (expected.success) expect(actual.data).toEqual(expected.data);
    }
  });

  it('keeps the map it was given (no copy) and the rest of the doc as validated', () => {
    const input = JSON.parse(JSON.stringify(doc)) as typeof doc;
    const parsed = busDocSchemaByKind.logs.parse(input);
    expect(parsed.attributes).toBe(input.attributes);
    expect(parsed).toEqual(docSchemaByKind.logs.parse(input));
  });

  it('still refuses what the stored schema refuses outside the maps', () => {
    expect(busDocSchemaByKind.logs.safeParse({ ...doc, time: 'soon' }).success).toBe(false);
    expect(busDocSchemaByKind.logs.safeParse({ ...doc, message: undefined }).success).toBe(false);
  });

  it('refuses an own __proto__ key (which no collector writes)', () => {
    expect(isStringMap(JSON.parse('{"__proto__":"x","a":"b"}'))).toBe(false);
    expect(isStringMap(Object.create(null))).toBe(false);
  });
});
