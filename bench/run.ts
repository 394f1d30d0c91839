import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** `npm run bench -- <name>` runs bench/<name>.bench.ts (its module body does the work). */
const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  console.error('usage: npm run bench -- <name>   (runs bench/<name>.bench.ts)');
  process.exit(2);
}
const file = fileURLToPath(new URL(`./${name}.bench.ts`, import.meta.url));
if (!existsSync(file)) {
  console.error(`no benchmark bench/${name}.bench.ts`);
  process.exit(2);
}
await import(pathToFileURL(file).href);
