import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, PACKAGE_ROOT, loadConfig } from './config.loader.ts';

function fileWith(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-config-'));
  const file = join(dir, 'pharos.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('gives the embedded default with no file', () => {
    const c = loadConfig({ env: {} });
    expect(c.server).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect(c.storage).toEqual({ type: 'sqlite', path: 'data/pharos.db' });
    // The durable bus in its own file beside the data (<dataDir>/bus.db), synced per batch.
    expect(c.bus).toEqual({ type: 'sqlite', synchronous: 'full', maxBacklogBytes: 2 ** 30 });
    expect(c.shutdown).toEqual({ graceMs: 30_000 });
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  it('lists every problem at once', () => {
    const file = fileWith(`
server: { port: "eighty" }
storage: { type: opensearch }
bus: { type: rabbit }
auth:
  tokens:
    - { name: a, role: root, token: "0123456789abcdef0123" }
`);
    try {
      loadConfig({ file, env: {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/server\.port/);
      expect(problems).toMatch(/storage\.url/);
      expect(problems).toMatch(/bus\.type/);
      expect(problems).toMatch(/auth\.tokens\.0\.role/);
      expect((err as ConfigError).problems.length).toBeGreaterThanOrEqual(4);
    }
  });

  it('applies environment overrides by path', () => {
    const c = loadConfig({
      env: {
        PHAROS_SERVER__PORT: '9999',
        PHAROS_BUS__TYPE: 'kafka',
        PHAROS_BUS__BROKERS: '[127.0.0.1:9092]',
        PHAROS_COLLECTOR__CLUSTER: 'east',
      },
    });
    expect(c.server.port).toBe(9999);
    expect(c.bus).toMatchObject({ type: 'kafka', brokers: ['127.0.0.1:9092'], topicPrefix: 'pharos' });
    expect(c.collector.cluster).toBe('east');
  });

  it('refuses a token scope with an empty list at boot, naming the token and the list', () => {
    const file = fileWith(`
auth:
  tokens:
    - { name: ok, role: viewer, token: "0123456789abcdef0123", scope: { namespaces: [payments] } }
    - { name: none, role: viewer, token: "0123456789abcdef0124", scope: { clusters: ["*"], namespaces: [] } }
    - { name: nowhere, role: ingest, token: "0123456789abcdef0125", scope: { clusters: [] } }
`);
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    try {
      loadConfig({ file, env: {} });
    } catch (err) {
      expect((err as ConfigError).problems).toEqual([
        'auth.tokens.1.scope.namespaces: an empty list grants nothing: list the values, use ["*"] for all, or remove the token',
        'auth.tokens.2.scope.clusters: an empty list grants nothing: list the values, use ["*"] for all, or remove the token',
      ]);
    }
  });

  it('has HTTP timeouts and a header limit by default, and keeps the header timeout within the request timeout', () => {
    expect(loadConfig({ env: {} }).server).toMatchObject({
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 10_000,
      maxHeaderBytes: 16_384,
    });
    expect(() => loadConfig({ env: { PHAROS_SERVER__REQUEST_TIMEOUT_MS: '5000' } })).toThrow(
      /server\.headersTimeoutMs: must not be over server\.requestTimeoutMs/,
    );
  });

  it('rejects unknown keys so typos are not silently ignored', () => {
    expect(() => loadConfig({ file: fileWith('sever: { port: 1 }\n'), env: {} })).toThrow(/Unrecognized key/);
  });

  it('resolves the shipped defaults against the installation, so any working directory works', () => {
    const c = loadConfig({ env: {} });
    expect(c.dashboards.dir).toBe(join(PACKAGE_ROOT, 'dashboards'));
    expect(c.federation.metricTemplatesFile).toBe(join(PACKAGE_ROOT, 'config/metric-templates.yaml'));
    const own = loadConfig({ env: { PHAROS_DASHBOARDS__DIR: 'my-dashboards' } });
    expect(own.dashboards.dir).toBe('my-dashboards');
  });
});
