import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadKubeConfig } from './kube-config.ts';

describe('loadKubeConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-kubeconfig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllEnvs());
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const config = (user: string, current = 'east') => `
apiVersion: v1
kind: Config
current-context: ${current}
contexts:
  - name: west
    context: { cluster: west, user: west }
  - name: east
    context: { cluster: east, user: east }
clusters:
  - name: west
    cluster: { server: https://west.example:6443 }
  - name: east
    cluster: { server: https://127.0.0.1:6443, certificate-authority-data: ${Buffer.from('CA').toString('base64')} }
users:
  - name: east
    user: ${user}
`;
  /** What client-node puts on a request: the proof that the credentials were understood. */
  const applied = async (file: string) => {
    const options: { headers?: Record<string, string>; ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
    await loadKubeConfig({ kubeconfig: file, inCluster: false }).applyToHTTPSOptions(options);
    return {
      authorization: options.headers?.Authorization,
      ca: options.ca?.toString(),
      cert: options.cert?.toString(),
      key: options.key?.toString(),
    };
  };

  it('loads a token user of the current context', async () => {
    const file = write('token', config('{ token: abc }'));
    expect(loadKubeConfig({ kubeconfig: file, inCluster: false }).getCurrentCluster()?.server).toBe(
      'https://127.0.0.1:6443',
    );
    expect(await applied(file)).toMatchObject({ authorization: 'Bearer abc', ca: 'CA' });
  });

  it('loads client certificates, files relative to the kubeconfig', async () => {
    write('client.crt', 'CERT');
    write('client.key', 'KEY');
    const file = write('certs', config('{ client-certificate: client.crt, client-key: client.key }'));
    expect(await applied(file)).toMatchObject({ authorization: undefined, ca: 'CA', cert: 'CERT', key: 'KEY' });
  });

  it('reads a tokenFile (relative to the kubeconfig) at request time, not at load', async () => {
    write('sa-token', 'at-load');
    const kc = loadKubeConfig({ kubeconfig: write('token-file', config('{ tokenFile: sa-token }')), inCluster: false });
    write('sa-token', 'rotated');
    const options: { headers?: Record<string, string> } = {};
    await kc.applyToHTTPSOptions(options);
    expect(options.headers?.Authorization).toBe('Bearer rotated');
  });

  it('takes $KUBECONFIG when no file is configured', () => {
    vi.stubEnv('KUBECONFIG', write('from-env', config('{ token: abc }', 'west')));
    expect(loadKubeConfig({ inCluster: false }).getCurrentCluster()?.server).toBe('https://west.example:6443');
  });

  it('says which file is missing', () => {
    expect(() => loadKubeConfig({ kubeconfig: join(dir, 'nope'), inCluster: false })).toThrow(
      /nope \(collector\.kubernetes\.kubeconfig\) does not exist/,
    );
  });

  it('says when the current context has no cluster', () => {
    const noContext = write('no-context', config('{ token: abc }', 'north'));
    expect(() => loadKubeConfig({ kubeconfig: noContext, inCluster: false })).toThrow(
      /current context "north" is not defined/,
    );
    const noCurrent = write('no-current', 'clusters: []\ncontexts: []\nusers: []\n');
    expect(() => loadKubeConfig({ kubeconfig: noCurrent, inCluster: false })).toThrow(/no current-context/);
  });

  it('says that a plain http:// server needs insecure-skip-tls-verify', () => {
    const file = write('http', config('{ token: abc }').replace('https://127.0.0.1:6443', 'http://127.0.0.1:8080'));
    expect(() => loadKubeConfig({ kubeconfig: file, inCluster: false })).toThrow(/insecure-skip-tls-verify: true/);
  });

  it('in-cluster without the pod environment names the setting', () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
    expect(() => loadKubeConfig({ inCluster: true })).toThrow(
      /collector\.kubernetes\.inCluster: KUBERNETES_SERVICE_HOST/,
    );
  });
});
