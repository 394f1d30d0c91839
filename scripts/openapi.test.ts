import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOpenApi, OPENAPI_FILE } from './openapi.ts';

describe('docs/openapi.json', () => {
  it('equals the document generated from the routes (regenerate with npm run openapi)', async () => {
    const generated = await generateOpenApi();
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(generated);
    const doc = JSON.parse(generated) as { paths: Record<string, unknown> };
    for (const kind of ['logs', 'events', 'audit']) {
      for (const suffix of ['', '/histogram', '/stats', '/export'])
        expect(doc.paths).toHaveProperty([`/v1/${kind}${suffix}`]);
    }
  }, 60_000);
});
