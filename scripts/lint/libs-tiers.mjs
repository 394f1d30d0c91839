// @ts-check
import path from 'node:path';

/**
 * The floors of libs/ (docs/architecture.md). A folder may import any folder on a lower floor; on its own floor
 * only the folders listed in SAME_FLOOR (an acyclic list, checked by libs-tiers.test.ts); nothing in libs/
 * imports services/. Together these keep the folder graph of libs/ free of loops.
 */
export const FLOORS = {
  ground: ['errors', 'logging', 'metrics', 'yaml', 'time', 'async', 'text'],
  contracts: ['schemas', 'config'],
  engines: [
    'promql',
    'search',
    'store',
    'bus',
    'cache',
    'federation',
    'traces',
    'dashboards',
    'normalize',
    'otlp',
    'loki',
    'elasticsearch',
  ],
  policy: ['auth', 'tenancy'],
  wiring: ['http', 'runtime'],
};

/** Imports allowed between folders of one floor (importer -> imported). */
export const SAME_FLOOR = {
  yaml: ['errors'],
  time: ['errors'],
  text: ['errors'],
  async: ['errors', 'logging'],
  federation: ['promql', 'cache'],
  dashboards: ['promql'],
  normalize: ['otlp', 'loki', 'elasticsearch'],
  store: ['search', 'normalize'],
  traces: ['store', 'normalize', 'otlp', 'federation', 'promql'],
  tenancy: ['auth'],
};

const FLOOR_ORDER = Object.keys(FLOORS);

/** @param {string} folder */
export function floorOf(folder) {
  const i = FLOOR_ORDER.findIndex((f) => FLOORS[/** @type {keyof typeof FLOORS} */ (f)].includes(folder));
  return i < 0 ? undefined : i;
}

/**
 * Why an import from libs/<from> to the repository path `target` breaks the floors, or undefined when it is
 * allowed.
 * @param {string} from a folder of libs/
 * @param {string} target a path relative to the repository root
 */
export function violation(from, target) {
  const parts = target.split('/');
  if (parts[0] === 'services') return 'libs/ never imports services/: move the shared part into libs/';
  if (parts[0] !== 'libs' || parts.length < 3) return undefined;
  const to = /** @type {string} */ (parts[1]);
  if (to === from) return undefined;
  const a = floorOf(from);
  const b = floorOf(to);
  if (a === undefined) return `libs/${from} has no floor: add it to FLOORS in scripts/lint/libs-tiers.mjs`;
  if (b === undefined) return `libs/${to} has no floor: add it to FLOORS in scripts/lint/libs-tiers.mjs`;
  if (b < a) return undefined;
  const same = /** @type {Record<string, string[]>} */ (SAME_FLOOR)[from] ?? [];
  if (a === b && same.includes(to)) return undefined;
  return a === b
    ? `libs/${from} may not import libs/${to} (same floor, ${FLOOR_ORDER[a]}, not listed in SAME_FLOOR)`
    : `libs/${from} (${FLOOR_ORDER[a]}) may not import libs/${to} (${FLOOR_ORDER[b]}, a higher floor)`;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps the floors of libs/ (docs/architecture.md) and libs/ free of services/ imports' },
    schema: [],
  },
  create(context) {
    const root = context.cwd;
    const file = path.relative(root, context.filename).split(path.sep).join('/');
    const m = /^libs\/([^/]+)\//.exec(file);
    if (!m) return {};
    const from = /** @type {string} */ (m[1]);
    /** @param {any} node */
    const check = (node) => {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path
        .relative(root, path.resolve(path.dirname(context.filename), spec))
        .split(path.sep)
        .join('/');
      const why = violation(from, target);
      if (why) context.report({ node: node.source, message: why });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { floors: rule } };
