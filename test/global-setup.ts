// vitest globalSetup for the integration project: makes sure the real engines run (starting what is missing) and
// leaves them running afterwards, so the next run starts in seconds; CI stops them with `npm run stack -- down`.
// PHAROS_STACK=skip starts nothing (engines managed by hand); PHAROS_STACK=kafka,opensearch starts only those.
import { ensureStack } from '../scripts/stack/stack.ts';

export default async function setup(): Promise<void> {
  const wanted = process.env.PHAROS_STACK?.trim() ?? '';
  if (wanted === 'skip') {
    console.log('[stack] PHAROS_STACK=skip: using whatever engines are already running');
    return;
  }
  const engines = wanted === '' || wanted === 'all' ? [] : wanted.split(',').map((name) => name.trim());
  const startedAt = Date.now();
  await ensureStack(engines);
  console.log(`[stack] engines ready for integration tests in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
}
