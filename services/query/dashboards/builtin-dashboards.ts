import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseDocumentText, slugify, validateDashboard } from '../../../libs/dashboards/dashboard.parse.ts';
import type { Dashboard } from '../../../libs/dashboards/dashboard.schema.ts';

export interface BuiltinDashboard {
  id: string;
  file: string;
  definition: Dashboard;
}

/**
 * Reads the built-in dashboards (YAML or JSON) once at boot. They are part of the release, so a broken
 * file stops the boot with its name and the field at fault rather than silently missing from the list.
 * A missing folder means no built-ins.
 */
export function loadBuiltinDashboards(dir: string): BuiltinDashboard[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => ['.yaml', '.yml', '.json'].includes(extname(f)))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const seen = new Map<string, string>();
  return files.map((file) => {
    const path = join(dir, file);
    const definition = validateDashboard(parseDocumentText(readFileSync(path, 'utf8'), path), path);
    const id = definition.id ?? slugify(basename(file, extname(file)));
    const clash = seen.get(id);
    if (clash) throw new Error(`built-in dashboards ${clash} and ${path} share the id "${id}"`);
    seen.set(id, path);
    return { id, file: path, definition: { ...definition, id } };
  });
}
