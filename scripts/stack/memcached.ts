// memcached (Debian package) for the query frontend's shared results cache (federation.cache.backend:
// memcached). UDP off (-U 0), 64 MiB, loopback only. memcached keeps nothing on disk; its folder holds the log
// and pidfiles, and naming its own pidfile there (-P) puts the folder on the command line, which is how the
// stack's pidfile is matched to the process.
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs/promises';
import type { Engine, Service } from './engine.ts';
import { HOST, stackPath } from './paths.ts';
import { requireCommand } from './process.ts';

export const MEMCACHED_PORT = 19211;

const dir = stackPath('memcached');

/** Ready when it answers `version` (protocol.txt). */
function answersVersion(signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: HOST, port: MEMCACHED_PORT, signal });
    let reply = '';
    socket.once('connect', () => socket.write('version\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('VERSION '));
      }
    });
    socket.once('error', () => resolve(false));
  });
}

const server: Service = {
  id: 'memcached',
  dir,
  logFile: path.join(dir, 'memcached.log'),
  ports: [MEMCACHED_PORT],
  readyTimeoutMs: 30_000,
  stopGraceMs: 5_000,
  command: () => ({
    command: 'memcached',
    // -u: memcached refuses to run as root without naming a user (CI runs as root); ignored otherwise.
    args: [
      '-l',
      HOST,
      '-p',
      String(MEMCACHED_PORT),
      '-U',
      '0',
      '-m',
      '64',
      '-u',
      os.userInfo().username,
      '-P',
      path.join(dir, 'memcached.pid'),
    ],
  }),
  ready: answersVersion,
};

export const memcached: Engine = {
  name: 'memcached',
  services: [server],
  async prepare() {
    requireCommand('memcached', 'apt-get install memcached');
    await fs.mkdir(dir, { recursive: true });
  },
};
