// `npm start`: Pharos from its TypeScript sources through tsx (development: no build step), or with
// NODE_ENV=production the compiled build in dist/ (`npm run build`) on plain node, with stack traces mapped
// back to the TypeScript. Plain JavaScript because it runs before tsx is loaded, and in one process: the
// entry module is imported here, so signals sent to this process reach Pharos itself.
import { existsSync } from 'node:fs';
import module from 'node:module';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const production = process.env.NODE_ENV === 'production';
const entry = new URL(production ? '../dist/services/main.js' : '../services/main.ts', import.meta.url);

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

if (production) {
  if (!existsSync(entry))
    fail(`NODE_ENV=production runs the build in dist/, and there is none: run \`npm run build\` first.`);
  // module.setSourceMapsSupport is Node >= 22.14; process.setSourceMapsEnabled is its older name (Node 20).
  if (module.setSourceMapsSupport) module.setSourceMapsSupport(true);
  else process.setSourceMapsEnabled(true);
} else {
  try {
    await import('tsx');
  } catch (err) {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    fail(
      'tsx is a dev dependency, not installed here: run `npm ci` (with dev dependencies), or `npm run build` and start with NODE_ENV=production.',
    );
  }
}
// As if node had been started on the entry itself (`node services/main.ts …`).
process.argv[1] = fileURLToPath(entry);
await import(entry.href);
