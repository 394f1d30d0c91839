import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { configSchema } from '../../libs/config/config.schema.ts';

/** The one image every manifest, docker-compose.yml and the docs use. */
export const PHAROS_IMAGE = 'ghcr.io/pharos-observability/pharos:0.1.0';

/**
 * Readers for the deploy files that are not Kubernetes API objects: the kube-apiserver's audit policy and
 * webhook kubeconfig, the Dockerfile, and the import graph the image's production dependencies must cover.
 */

const stage = z.enum(['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic']);

/** audit.k8s.io/v1 Policy, field for field (k8s.io/apiserver/pkg/apis/audit/v1/types.go); unknown fields fail. */
export const auditPolicySchema = z
  .object({
    apiVersion: z.literal('audit.k8s.io/v1'),
    kind: z.literal('Policy'),
    metadata: z.record(z.string(), z.unknown()).optional(),
    omitStages: z.array(stage).optional(),
    omitManagedFields: z.boolean().optional(),
    rules: z
      .array(
        z
          .object({
            level: z.enum(['None', 'Metadata', 'Request', 'RequestResponse']),
            users: z.array(z.string()).optional(),
            userGroups: z.array(z.string()).optional(),
            verbs: z.array(z.string()).optional(),
            resources: z
              .array(
                z
                  .object({
                    group: z.string().optional(),
                    resources: z.array(z.string()).optional(),
                    resourceNames: z.array(z.string()).optional(),
                  })
                  .strict(),
              )
              .optional(),
            namespaces: z.array(z.string()).optional(),
            nonResourceURLs: z.array(z.string()).optional(),
            omitStages: z.array(stage).optional(),
            omitManagedFields: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The subset of a v1 kubeconfig the audit webhook uses (k8s.io/client-go/tools/clientcmd/api/v1). */
export const webhookKubeconfigSchema = z
  .object({
    apiVersion: z.literal('v1'),
    kind: z.literal('Config'),
    clusters: z
      .array(
        z
          .object({
            name: z.string(),
            cluster: z.object({ server: z.url(), 'certificate-authority': z.string().optional() }).strict(),
          })
          .strict(),
      )
      .length(1),
    contexts: z
      .array(
        z.object({ name: z.string(), context: z.object({ cluster: z.string(), user: z.string() }).strict() }).strict(),
      )
      .length(1),
    'current-context': z.string(),
    users: z
      .array(
        z
          .object({
            name: z.string(),
            user: z.object({ token: z.string().optional(), tokenFile: z.string().optional() }).strict(),
          })
          .strict(),
      )
      .length(1),
  })
  .strict();

export interface DockerStage {
  from: string;
  name?: string;
  instructions: { op: string; args: string }[];
}

/** Splits a Dockerfile into stages of instructions, joining `\` continuations and dropping comments. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: DockerStage[] } {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const line of logical) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest) ?? [];
      stages.push({
        from: from.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? ''),
        ...(name ? { name } : {}),
        instructions: [],
      });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [k = '', v = ''] = rest.split('=');
      args[k] = v;
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args: rest.replace(/\s+/g, ' ') });
    }
  }
  return { args, stages };
}

/**
 * What the process started from `entries` loads: every source file reached through relative imports
 * (static and dynamic), and every bare package those files import at run time, with the first importer.
 * Type-only imports are skipped: they are erased before the code runs.
 */
export function runtimeGraph(
  root: string,
  entries: readonly string[],
): { files: string[]; packages: Map<string, string> } {
  const builtins = new Set(builtinModules);
  const importRe =
    /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const queue = entries.map((e) => join(root, e));
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) {
        if (/\.[cm]?[jt]s$/.test(spec)) queue.push(join(dirname(file), spec));
        continue;
      }
      if (spec.startsWith('node:') || builtins.has(spec)) continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (!packages.has(name)) packages.set(name, relative(root, file));
    }
  }
  return { files: [...seen].map((f) => relative(root, f)).sort(), packages };
}

/** Problems of a Pharos config file's text against the config contract (tokenFile paths are not read). */
export function configProblems(text: string): string[] {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return [`not valid YAML: ${(err as Error).message}`];
  }
  const result = configSchema.safeParse(raw ?? {});
  return result.success
    ? []
    : result.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}
