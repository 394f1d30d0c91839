import { describe, expect, it } from 'vitest';
import type { AnyDoc } from '../../schemas/records.ts';
import { attributeClause, attributeTerms, withAttributeTerms, withoutAttributeTerms } from './attribute-terms.ts';

const doc = (attributes?: Record<string, unknown>) =>
  ({ id: 'a', kind: 'logs', cluster: 'c', time: 1, message: 'm', ...(attributes ? { attributes } : {}) }) as AnyDoc;

describe('attribute terms', () => {
  it('makes one key=value term per attribute, values as filters compare them', () => {
    expect(attributeTerms({ 'service.name': 'cart', n: 3, ok: true, gone: null, 'a=b': 'c=d' })).toEqual([
      'service.name=cart',
      'n=3',
      'ok=true',
      'a=b=c=d',
    ]);
    expect(attributeTerms(undefined)).toEqual([]);
  });

  it('appends the terms to the JSON text the bus carried, which stays otherwise as it was', () => {
    const d = doc({ 'k8s.pod.label.app': 'cart' });
    const json = `${JSON.stringify(d)}\n`.trimEnd();
    const sent = withAttributeTerms(d, 'attributes', json);
    expect(JSON.parse(sent)).toEqual({ ...d, attrs: ['k8s.pod.label.app=cart'] });
    expect(sent.startsWith(json.slice(0, -1))).toBe(true);
    expect(withAttributeTerms(doc(), 'attributes')).toBe(JSON.stringify(doc()));
    expect(JSON.parse(withAttributeTerms(d, 'attributes'))).toEqual({ ...d, attrs: ['k8s.pod.label.app=cart'] });
  });

  it('gives readers the record without its terms', () => {
    const d = doc({ x: 'y' });
    expect(withoutAttributeTerms({ ...d, attrs: ['x=y'] } as unknown as AnyDoc)).toEqual(d);
    expect(withoutAttributeTerms(d)).toBe(d);
  });

  it('filters on both layouts: the terms and the former flat_object path', () => {
    const target = { field: 'attributes', key: 'service.name' };
    expect(attributeClause(target, ['api', 'db'])).toEqual({
      bool: {
        should: [
          { terms: { attrs: ['service.name=api', 'service.name=db'] } },
          { terms: { 'attributes.service.name': ['api', 'db'] } },
        ],
        minimum_should_match: 1,
      },
    });
    expect(attributeClause(target, ['API'], true)).toEqual({
      bool: {
        should: [
          { term: { attrs: { value: 'service.name=API', case_insensitive: true } } },
          { term: { 'attributes.service.name': { value: 'API', case_insensitive: true } } },
        ],
        minimum_should_match: 1,
      },
    });
  });
});
