import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOC_FILTER_FIELDS, RECORD_KINDS, type RecordKind } from '../../schemas/records.ts';
import { filterColumns, textFields } from '../../schemas/record-fields.ts';
import { indexTemplate, kindMappings } from './index-templates.ts';
import { sortClause } from './opensearch-record-query.ts';
import { renderTemplate, templateFile } from './templates.generate.ts';

interface Field {
  type: string;
  index?: boolean;
  doc_values?: boolean;
  fields?: Record<string, Field>;
}
const propertiesOf = (kind: RecordKind) => (kindMappings(kind) as { properties: Record<string, Field> }).properties;

describe('OpenSearch index templates', () => {
  it.each(RECORD_KINDS)(
    'the committed %s template equals the generated one (npx tsx libs/store/opensearch/templates.generate.ts)',
    (kind) => {
      expect(readFileSync(templateFile(kind), 'utf8')).toBe(renderTemplate(kind));
    },
  );

  it('keeps raw documents stored but not indexed', () => {
    const mappings = (indexTemplate('audit') as { template: { mappings: { properties: Record<string, unknown> } } })
      .template.mappings;
    expect(mappings.properties.raw).toEqual({ type: 'object', enabled: false });
    expect(mappings.properties.time).toEqual({ type: 'date', format: 'epoch_millis' });
    expect(mappings.properties.user).toMatchObject({ type: 'keyword', fields: { text: { analyzer: 'pharos_text' } } });
    expect(mappings.properties.requestURI).toEqual({ type: 'text', analyzer: 'pharos_text' });
  });

  describe.each(RECORD_KINDS)('%s: each field has what its queries need', (kind) => {
    const properties = propertiesOf(kind);

    it('has doc values where a query sorts (search, export) or aggregates (stats by a filter column)', () => {
      const sorted = sortClause('asc').flatMap((clause) => Object.keys(clause));
      for (const field of [...sorted, ...filterColumns(kind)])
        expect(properties[field]?.doc_values, field).not.toBe(false);
    });

    it('indexes what filters, q and the time range match', () => {
      for (const field of ['time', ...filterColumns(kind), ...Object.values(DOC_FILTER_FIELDS[kind])]) {
        expect(properties[field]?.index, field).not.toBe(false);
        if (field !== 'time') expect(properties[field]?.fields?.lc?.index, `${field}.lc`).not.toBe(false);
      }
      for (const field of textFields(kind)) expect(properties[field]?.index, field).not.toBe(false);
    });
  });

  it('indexes ids for sorting only (doc values), not for search', () => {
    for (const kind of RECORD_KINDS) expect(propertiesOf(kind).id).toEqual({ type: 'keyword', index: false });
  });
});
