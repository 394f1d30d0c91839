// One stack operation at a time across processes: `npm run stack -- up` in a terminal, vitest's globalSetup and a
// fault test's stopEngine() may overlap, and two `up`s racing would start a daemon twice.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STACK_DIR } from './paths.ts';

const LOCK_FILE = path.join(STACK_DIR, 'lock');
const WAIT_MS = 15 * 60_000;

function holderAlive(): boolean {
  try {
    const pid = Number.parseInt(fs.readFileSync(LOCK_FILE, 'utf8'), 10);
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryAcquire(): boolean {
  try {
    fs.writeFileSync(LOCK_FILE, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // A holder that died (Ctrl-C, crash) leaves its file behind: take over.
    if (!holderAlive()) fs.rmSync(LOCK_FILE, { force: true });
    return false;
  }
}

export async function withStackLock<T>(work: () => Promise<T>): Promise<T> {
  fs.mkdirSync(STACK_DIR, { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  while (!tryAcquire()) {
    if (Date.now() > deadline) throw new Error(`another stack operation still holds ${LOCK_FILE}`);
    await sleep(250);
  }
  try {
    return await work();
  } finally {
    fs.rmSync(LOCK_FILE, { force: true });
  }
}
