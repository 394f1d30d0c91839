import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenAuthenticator, sha256Hex } from '../../../libs/auth/token-authenticator.ts';
import { buildApp } from '../../../libs/http/app.ts';
import { createLogger } from '../../../libs/logging/logger.ts';
import { alertingPlugin } from '../../../services/alerting/alerting.features.ts';
import { fakeSources, testModule } from '../../../services/alerting/testing/fakes.ts';

const run = promisify(execFile);
const TOKEN = 'amtool-token-0123456789';

describe('promtool and amtool against Pharos', () => {
  it('promtool check rules accepts every shipped rule file', async () => {
    const files = readdirSync('alert-rules')
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => join('alert-rules', f));
    expect(files.length).toBeGreaterThan(0);
    const { stdout } = await run('promtool', ['check', 'rules', ...files]);
    expect(stdout.match(/SUCCESS/g)).toHaveLength(files.length);
  });

  describe('amtool 0.25', () => {
    let app: FastifyInstance;
    let base: string;
    let httpConfig: string;
    beforeAll(async () => {
      const { module } = await testModule(
        {},
        fakeSources(() => ({})),
      );
      const authenticator = new TokenAuthenticator([]);
      authenticator.add({ name: 'amtool', tokenSha256: sha256Hex(TOKEN), role: 'editor' });
      app = await buildApp({
        logger: createLogger('silent'),
        metrics: new Registry(),
        authenticator,
        features: [{ name: 'alerting', routes: alertingPlugin(async () => module) }],
      });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as { port: number }).port;
      base = `127.0.0.1:${port}/alertmanager`;
      httpConfig = join(mkdtempSync(join(tmpdir(), 'amtool-')), 'http.yml');
      writeFileSync(httpConfig, `authorization:\n  credentials: ${TOKEN}\n`);
    });
    afterAll(async () => app?.close());

    const amtool = (args: string[], url = `http://${base}`, extra: string[] = []) =>
      run('amtool', [`--alertmanager.url=${url}`, ...extra, ...args]);

    it('is refused without a token', async () => {
      await expect(amtool(['silence', 'query'])).rejects.toThrow();
    });

    it('adds, lists and expires a silence with a bearer token from --http.config.file', async () => {
      const cfg = [`--http.config.file=${httpConfig}`];
      const { stdout: id } = await amtool(
        [
          'silence',
          'add',
          'alertname=NodeDown',
          'cluster=~"east|west"',
          '--comment=maintenance',
          '--author=ops',
          '--duration=2h',
        ],
        undefined,
        cfg,
      );
      expect(id.trim()).toMatch(/^[0-9a-f-]{36}$/);
      const { stdout: listed } = await amtool(['silence', 'query', '-o', 'json'], undefined, cfg);
      const silences = JSON.parse(listed) as {
        id: string;
        createdBy: string;
        matchers: { name: string; value: string; isRegex: boolean }[];
      }[];
      expect(silences.map((s) => s.id)).toContain(id.trim());
      expect(silences.find((s) => s.id === id.trim())?.matchers).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'cluster', value: 'east|west', isRegex: true })]),
      );
      await amtool(['silence', 'expire', id.trim()], undefined, cfg);
      const { stdout: after } = await amtool(['silence', 'query', '-o', 'json'], undefined, cfg);
      expect((JSON.parse(after) as { id: string }[]).map((s) => s.id)).not.toContain(id.trim());
      const { stdout: expired } = await amtool(['silence', 'query', '--expired', '-o', 'json'], undefined, cfg);
      expect((JSON.parse(expired) as { id: string }[]).map((s) => s.id)).toContain(id.trim());
    });

    it('also works with the token as Basic credentials in the URL', async () => {
      const url = `http://amtool:${TOKEN}@${base}`;
      const { stdout: id } = await amtool(['silence', 'add', 'alertname=Other', '--comment=c', '--author=ops'], url);
      const { stdout: listed } = await amtool(['silence', 'query', '-q'], url);
      expect(listed).toContain(id.trim());
    });
  });
});
