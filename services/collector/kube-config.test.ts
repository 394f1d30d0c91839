import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKubeTarget } from './kube-config.ts';

describe('loadKubeTarget', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-kubeconfig-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('reads the current context: server, CA data, token, relative client certificate files', () => {
    write('client.crt', 'CERT');
    write('client.key', 'KEY');
    const file = write('config', `
apiVersion: v1
kind: Config
current-context: east
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
    user: { token: abc, client-certificate: client.crt, client-key: client.key }
`);
    const t = loadKubeTarget({ kubeconfig: file, inCluster: false });
    expect(t.server).toBe('https://127.0.0.1:6443');
    expect(t.ca?.toString()).toBe('CA');
    expect(t.token).toBe('abc');
    expect(t.cert?.toString()).toBe('CERT');
    expect(t.key?.toString()).toBe('KEY');
    expect(t.insecure).toBe(false);
  });

  it('refuses exec credentials with a message saying what to use instead', () => {
    const file = write('exec', 'current-context: c\ncontexts: [{ name: c, context: { cluster: c, user: u } }]\nclusters: [{ name: c, cluster: { server: "https://x" } }]\nusers: [{ name: u, user: { exec: { command: aws } } }]\n');
    expect(() => loadKubeTarget({ kubeconfig: file, inCluster: false })).toThrow(/give the user a token/);
  });
});
