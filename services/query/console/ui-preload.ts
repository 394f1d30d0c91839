import type { UiAsset } from './ui.routes.ts';

/**
 * Static imports of an ES module: `import … from '/ui/x.js'`, `import '/ui/x.js'`, and bare names of the import map.
 */
const IMPORT = /\bimport\s+(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]/g;

/** The import map's bare names → the files they stand for (index.html maps preact, htm, uplot to /ui/vendor/). */
function importMap(indexHtml: string): Record<string, string> {
  const json = /<script type="importmap">([\s\S]*?)<\/script>/.exec(indexHtml)?.[1];
  return json ? (JSON.parse(json) as { imports: Record<string, string> }).imports : {};
}

/**
 * The modules a page needs before it can draw, so index.html can name them all at once (`<link rel=
 * "modulepreload">`, HTML Living Standard) instead of the browser finding them one import level at a time:
 * the shell (app.js) and the page's own module, with everything they import statically.
 */
export class ModulePreloads {
  private readonly deps = new Map<string, string[]>();
  private readonly cache = new Map<string, string[]>();

  constructor(assets: Map<string, UiAsset>, indexHtml: string) {
    const map = importMap(indexHtml);
    for (const [file, asset] of assets) {
      if (!file.endsWith('.js')) continue;
      const found = [...asset.body.toString('utf8').matchAll(IMPORT)].map((m) => map[m[1]!] ?? m[1]!);
      this.deps.set(
        file,
        found
          .filter((f) => f.startsWith('/ui/'))
          .map((f) => f.slice('/ui/'.length))
          .filter((f) => assets.has(f)),
      );
    }
  }

  /** Files to preload for a page (first path segment: explore, alerts …; '' is the home page). */
  forPage(page: string): string[] {
    const key = this.deps.has(`pages/${page || 'home'}.js`) ? page || 'home' : 'home';
    const hit = this.cache.get(key);
    if (hit) return hit;
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const d of this.deps.get(file) ?? []) visit(d);
    };
    visit('app.js');
    visit(`pages/${key}.js`);
    const files = [...seen];
    this.cache.set(key, files);
    return files;
  }
}
