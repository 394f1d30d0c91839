import { describe, expect, it } from 'vitest';
import { mappingAdditions } from './mapping-upgrade.ts';

const lc = { type: 'keyword', normalizer: 'pharos_lowercase' };

describe('mappingAdditions (what start-up adds to an index made by an earlier version)', () => {
  it('adds absent properties as they are wanted', () => {
    const wanted = { cluster: { type: 'keyword' }, attrs: { type: 'keyword', doc_values: false } };
    expect(mappingAdditions({ cluster: { type: 'keyword' } }, wanted)).toEqual({ attrs: wanted.attrs });
  });

  it('never sends a field the index has in its new form, whatever changed', () => {
    const existing = {
      attributes: { type: 'flat_object' },
      severity: { type: 'keyword', fields: { lc } },
      severityNumber: { type: 'short' },
    };
    const wanted = {
      attributes: { type: 'object', enabled: false },
      severity: { type: 'keyword', doc_values: false, fields: { lc: { ...lc, doc_values: false } } },
      severityNumber: { type: 'short', index: false, doc_values: false },
    };
    expect(mappingAdditions(existing, wanted)).toBeUndefined();
  });

  it('adds a missing sub-field to the index’s own definition of the field', () => {
    const existing = { user: { type: 'keyword', fields: { lc } } };
    const text = { type: 'text', analyzer: 'pharos_text' };
    const wanted = { user: { type: 'keyword', doc_values: false, fields: { lc: { ...lc, doc_values: false }, text } } };
    expect(mappingAdditions(existing, wanted)).toEqual({ user: { type: 'keyword', fields: { lc, text } } });
  });

  it('adds no sub-field to a field of another type', () => {
    const wanted = { message: { type: 'keyword', fields: { text: { type: 'text' } } } };
    expect(mappingAdditions({ message: { type: 'text' } }, wanted)).toBeUndefined();
  });
});
