import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../libs/errors/errors.ts';

export interface KubeConfigOptions {
  kubeconfig?: string | undefined;
  inCluster: boolean;
}

const SA_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * collector.kubernetes → client-node KubeConfig. In-cluster: the service account files and
 * KUBERNETES_SERVICE_HOST/PORT (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/).
 * Otherwise `kubeconfig`, else $KUBECONFIG (its files merged), else ~/.kube/config, current context. Every
 * kubeconfig credential kind works (token, client certificates, basic, exec, auth-provider), as with kubectl.
 * Problems found here are InputErrors naming the setting or file to fix, not the library's bare messages.
 */
export function loadKubeConfig(options: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  const source = options.inCluster ? loadInCluster(kc) : loadFiles(kc, options.kubeconfig);
  const context = kc.getCurrentContext();
  if (!context) throw new InputError(`${source}: no current-context is set`);
  if (!kc.getContextObject(context)) throw new InputError(`${source}: the current context "${context}" is not defined`);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new InputError(`${source}: the current context "${context}" names no defined cluster`);
  // client-node refuses plain HTTP at request time unless TLS checks are explicitly off; say so at boot.
  if (cluster.server.startsWith('http:') && !cluster.skipTLSVerify && !cluster.proxyUrl) {
    throw new InputError(
      `${source}: cluster "${cluster.name}" has an http:// server; the client accepts it only with insecure-skip-tls-verify: true`,
    );
  }
  return kc;
}

function loadInCluster(kc: KubeConfig): string {
  const source = 'collector.kubernetes.inCluster';
  if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) {
    throw new InputError(`${source}: KUBERNETES_SERVICE_HOST/PORT are not set (not running in a pod?)`);
  }
  if (!existsSync(SA_TOKEN))
    throw new InputError(`${source}: no service account token at ${SA_TOKEN} (automountServiceAccountToken off?)`);
  kc.loadFromCluster();
  return source;
}

/** Loads the kubeconfig file(s); returns a name for them to put in error messages. */
function loadFiles(kc: KubeConfig, explicit: string | undefined): string {
  const files = explicit ? [explicit] : defaultFiles();
  if (files.length === 0) {
    throw new InputError(
      'collector.kubernetes: no kubeconfig found; set collector.kubernetes.kubeconfig or $KUBECONFIG, create ~/.kube/config, or set inCluster: true',
    );
  }
  const setting = explicit ? 'collector.kubernetes.kubeconfig' : process.env.KUBECONFIG ? '$KUBECONFIG' : 'default';
  const source = `kubeconfig ${files.join(delimiter)} (${setting})`;
  for (const file of files)
    if (!existsSync(file)) throw new InputError(`kubeconfig ${file} (${setting}) does not exist`);
  try {
    if (explicit) kc.loadFromFile(explicit);
    else kc.loadFromDefault();
    useTokenFiles(kc, files);
  } catch (err) {
    throw new InputError(`${source}: cannot be loaded: ${(err as Error).message}`);
  }
  return source;
}

/**
 * The files KubeConfig.loadFromDefault reads, in its order (it falls back to a local http://localhost:8080 otherwise).
 */
function defaultFiles(): string[] {
  const fromEnv = process.env.KUBECONFIG?.split(delimiter).filter(Boolean) ?? [];
  if (fromEnv.length > 0) return fromEnv;
  const home = resolve(process.env.HOME ?? homedir(), '.kube/config');
  return existsSync(home) ? [home] : [];
}

/**
 * A user's `tokenFile` (kubeconfig field, re-read by client-go as the token rotates) is unknown to
 * client-node, which only reads its own `token-file` once. Handing it to client-node's tokenFile
 * auth provider, the one its in-cluster config uses, re-reads it the same way.
 */
function useTokenFiles(kc: KubeConfig, files: readonly string[]): void {
  for (const file of files) {
    const raw = parseYaml(readFileSync(file, 'utf8')) as {
      users?: { name?: string; user?: { tokenFile?: unknown } }[];
    } | null;
    for (const entry of raw?.users ?? []) {
      const tokenFile = entry.user?.tokenFile;
      if (typeof tokenFile !== 'string') continue;
      kc.users = kc.users.map((u) =>
        u.name === entry.name && !u.token && !u.exec && !u.authProvider
          ? { ...u, authProvider: { name: 'tokenFile', config: { tokenFile: resolve(dirname(file), tokenFile) } } }
          : u,
      );
    }
  }
}
