import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RECORD_KINDS } from '../../schemas/records.ts';
import { indexTemplate } from './index-templates.ts';

/**
 * Writes the committed copies of the index templates (default prefix and sizes), diffed in CI by
 * index-templates.test.ts. Run: `npx tsx libs/store/opensearch/templates.generate.ts`.
 */
export const templateFile = (kind: string): URL => new URL(`./templates/${kind}.json`, import.meta.url);

export const renderTemplate = (kind: (typeof RECORD_KINDS)[number]): string =>
  `${JSON.stringify(indexTemplate(kind), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const kind of RECORD_KINDS) writeFileSync(templateFile(kind), renderTemplate(kind));
  console.log(`wrote ${RECORD_KINDS.length} templates`);
}
