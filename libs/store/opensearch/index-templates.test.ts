import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECORD_KINDS } from '../../schemas/records.ts';
import { indexTemplate } from './index-templates.ts';
import { renderTemplate, templateFile } from './templates.generate.ts';

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
});
