// Java tooling for the JVM engines: the classpath comes from a small Maven project per engine, copied once into
// .stack/<engine>/lib. Maven's ~/.m2 caches the downloads; the copy (stamped with the POM's hash) lets a second
// `up` skip Maven entirely, which saves several seconds of Maven start-up per engine.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Log } from './engine.ts';
import { livePid, run } from './process.ts';

export function javaTool(name: 'java' | 'javac'): string {
  const home = process.env.JAVA_HOME;
  return home ? path.join(home, 'bin', name) : name;
}

export async function sha256OfFile(file: string): Promise<string> {
  return createHash('sha256')
    .update(await fs.readFile(file))
    .digest('hex');
}

async function readStamp(file: string): Promise<string | undefined> {
  return fs.readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
}

// Maven 3.8 does not lock its local repository: two resolutions at once could both write the same jar.
let mavenQueue: Promise<unknown> = Promise.resolve();

/** Copies the runtime dependencies of `pom` into `libDir`, unless the copy there was made from the same POM. */
export function resolveClasspath(pom: string, libDir: string, log: Log): Promise<void> {
  const next = mavenQueue.then(() => copyDependencies(pom, libDir, log));
  mavenQueue = next.catch(() => undefined);
  return next;
}

/** Whether `libDir` holds the classpath of `pom` as it is now. */
export async function isClasspathCurrent(pom: string, libDir: string): Promise<boolean> {
  return (await readStamp(path.join(libDir, '.pom-sha256'))) === (await sha256OfFile(pom));
}

async function copyDependencies(pom: string, libDir: string, log: Log): Promise<void> {
  if (await isClasspathCurrent(pom, libDir)) return;
  const pomHash = await sha256OfFile(pom);
  const staging = `${libDir}.partial`;
  await fs.rm(staging, { recursive: true, force: true });
  log(`resolving ${path.relative(process.cwd(), pom)} with Maven (downloads go to ~/.m2 the first time)`);
  const startedAt = Date.now();
  await run('mvn', [
    '-q',
    '-B',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${staging}`,
    '-DincludeScope=runtime',
  ]);
  await fs.writeFile(path.join(staging, '.pom-sha256'), `${pomHash}\n`);
  // Swap in the complete copy only, so an interrupted resolution never leaves a half classpath behind.
  await fs.rm(libDir, { recursive: true, force: true });
  await fs.rename(staging, libDir);
  log(`classpath ready in ${path.relative(process.cwd(), libDir)} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
}

/**
 * A running JVM reads its jars lazily, so its lib folder must not be swapped under it: report what a restart would
 * change instead. Returns whether the engine runs (and so should be left as it is).
 */
export interface JvmEngineFiles {
  engine: string;
  /** The engine's folder under .stack/, which holds its pidfile. */
  dir: string;
  pom: string;
  libDir: string;
}

export async function leaveRunningJvm({ engine, dir, pom, libDir }: JvmEngineFiles, log: Log): Promise<boolean> {
  if (livePid(dir) === undefined) return false;
  if (!(await isClasspathCurrent(pom, libDir))) {
    log(
      `${engine}: ${path.relative(process.cwd(), pom)} changed; \`npm run stack -- down ${engine}\` then \`up\` to use it`,
    );
  }
  return true;
}

/** Recompiles `source` into `classesDir` when the source changed since the last compile. */
export async function compileJava(
  { source, classesDir, classpath }: { source: string; classesDir: string; classpath: string },
  log: Log,
): Promise<void> {
  const stamp = path.join(classesDir, '.source-sha256');
  const sourceHash = await sha256OfFile(source);
  if ((await readStamp(stamp)) === sourceHash) return;
  await fs.rm(classesDir, { recursive: true, force: true });
  await fs.mkdir(classesDir, { recursive: true });
  log(`compiling ${path.basename(source)}`);
  await run(javaTool('javac'), ['-nowarn', '-d', classesDir, '-cp', classpath, source]);
  await fs.writeFile(stamp, `${sourceHash}\n`);
}
