import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { InputError } from '../../libs/errors/errors.ts';

export interface KubeConfigOptions {
  kubeconfig?: string | undefined;
  inCluster: boolean;
}

/** Where the API server is and how to authenticate to it. */
export interface KubeTarget {
  server: string;
  ca?: Buffer | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
  token?: string | undefined;
  /** Re-read on every request: projected service-account tokens rotate. */
  tokenFile?: string | undefined;
  insecure?: boolean | undefined;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * collector.kubernetes → target. In-cluster: the service account files and KUBERNETES_SERVICE_HOST/PORT
 * (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/). Otherwise a kubeconfig
 * (`kubeconfig`, else $KUBECONFIG's first file, else ~/.kube/config), current context, with token or
 * client-certificate auth. exec and auth-provider plugins are not supported: use a token.
 */
export function loadKubeTarget(options: KubeConfigOptions): KubeTarget {
  if (options.inCluster) {
    const host = process.env.KUBERNETES_SERVICE_HOST;
    const port = process.env.KUBERNETES_SERVICE_PORT ?? '443';
    if (!host) throw new InputError('collector.kubernetes.inCluster: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)');
    return { server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, ca: readFileSync(`${SA_DIR}/ca.crt`), tokenFile: `${SA_DIR}/token` };
  }
  const file = options.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? resolve(homedir(), '.kube/config');
  type Named<T> = { name: string } & T;
  const kc = parseYaml(readFileSync(file, 'utf8')) as {
    'current-context'?: string;
    contexts?: Named<{ context: { cluster: string; user: string } }>[];
    clusters?: Named<{ cluster: Record<string, unknown> }>[];
    users?: Named<{ user: Record<string, unknown> }>[];
  };
  const context = kc.contexts?.find((c) => c.name === kc['current-context'])?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === context?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = kc.users?.find((u) => u.name === context?.user)?.user ?? {};
  if (!cluster || typeof cluster.server !== 'string') throw new InputError(`${file}: no cluster with a server for the current context`);
  if (user.exec || user['auth-provider']) throw new InputError(`${file}: exec / auth-provider credentials are not supported; give the user a token`);
  const base = dirname(file);
  const material = (data: unknown, path: unknown): Buffer | undefined =>
    typeof data === 'string' ? Buffer.from(data, 'base64') : typeof path === 'string' ? readFileSync(resolve(base, path)) : undefined;
  return {
    server: cluster.server,
    ca: material(cluster['certificate-authority-data'], cluster['certificate-authority']),
    insecure: cluster['insecure-skip-tls-verify'] === true,
    cert: material(user['client-certificate-data'], user['client-certificate']),
    key: material(user['client-key-data'], user['client-key']),
    token: typeof user.token === 'string' ? user.token : undefined,
    tokenFile: typeof user.tokenFile === 'string' ? resolve(base, user.tokenFile) : undefined,
  };
}
