// node-exporter for this machine, so Pharos can scrape one live target next to the fixture servers.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Engine, Service } from './engine.ts';
import { HOST, stackPath } from './paths.ts';
import { httpOk, requireCommand } from './process.ts';

export const NODE_EXPORTER_PORT = 19100;

const dir = stackPath('node-exporter');
// Besides giving tests a place for custom *.prom files, the textfile folder puts the stack's path on the command
// line, which is how a pidfile is matched to its process.
const textfileDir = path.join(dir, 'textfile');

const exporter: Service = {
  id: 'node-exporter',
  dir,
  logFile: path.join(dir, 'node-exporter.log'),
  ports: [NODE_EXPORTER_PORT],
  readyTimeoutMs: 30_000,
  stopGraceMs: 5_000,
  command: () => ({
    command: 'prometheus-node-exporter',
    args: [`--web.listen-address=${HOST}:${NODE_EXPORTER_PORT}`, `--collector.textfile.directory=${textfileDir}`],
  }),
  ready: (signal) => httpOk(`http://${HOST}:${NODE_EXPORTER_PORT}/metrics`, signal),
};

export const nodeExporter: Engine = {
  name: 'node-exporter',
  services: [exporter],
  async prepare() {
    requireCommand('prometheus-node-exporter', 'apt-get install prometheus-node-exporter');
    await fs.mkdir(textfileDir, { recursive: true });
  },
};
