import * as fieldMaps from '@kubernetes/client-node/dist/gen/models/all.js';
import * as models from 'kubernetes-models';
import type { K8sObject } from './kustomize.ts';

/**
 * Validates rendered objects against the Kubernetes API schemas, in two passes:
 * - kubernetes-models' JSON-schema validators (required fields, types, enums, quantities);
 * - an unknown-field walk over @kubernetes/client-node's generated type maps, because those JSON schemas
 *   allow additional properties and so would accept a misspelt `livenesProbe` that the API server drops
 *   (or rejects under `kubectl apply --validate=strict`).
 * Returns one line per problem; an empty list means every object is valid.
 */
export function validateObjects(objects: readonly K8sObject[]): string[] {
  return objects.flatMap((o) => validateObject(o).map((p) => `${o.kind}/${o.metadata?.name}: ${p}`));
}

export function validateObject(obj: K8sObject): string[] {
  const Model = modelClass(obj.apiVersion, obj.kind);
  if (!Model) return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  const problems: string[] = [];
  try {
    new Model(obj).validate();
  } catch (err) {
    problems.push(`schema: ${(err as Error).message}`);
  }
  problems.push(...unknownFields(obj, `V1${obj.kind}`, ''));
  return problems;
}

type Validatable = new (data: unknown) => { validate(): void };

/** `apps/v1` → models.apps.v1, `rbac.authorization.k8s.io/v1` → models.rbacAuthorizationK8sIo.v1, `v1` → models.v1. */
function modelClass(apiVersion: string, kind: string): Validatable | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [undefined, apiVersion];
  const root = models as unknown as Record<string, Record<string, Record<string, unknown>> | undefined>;
  const groupKey = group ? group.replace(/\.([a-z])/g, (_, c: string) => c.toUpperCase()) : undefined;
  const versions = groupKey ? root[groupKey] : { v1: root.v1 as unknown as Record<string, unknown> };
  const byKind = versions?.[version ?? ''] as Record<string, unknown> | undefined;
  const Model = byKind?.[kind];
  return typeof Model === 'function' ? (Model as Validatable) : undefined;
}

interface Attribute {
  baseName: string;
  type: string;
}

const typeMaps = fieldMaps as unknown as Record<string, { getAttributeTypeMap?: () => Attribute[] } | undefined>;

function unknownFields(value: unknown, type: string, path: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map)
    return isObject(value) ? Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1]!, `${path}.${k}`)) : [];
  const attributes = typeMaps[type]?.getAttributeTypeMap?.();
  if (!attributes || !isObject(value)) return [];
  const known = new Map(attributes.map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([key, v]) => {
    const fieldType = known.get(key);
    const at = path ? `${path}.${key}` : key;
    return fieldType === undefined ? [`unknown field "${at}"`] : unknownFields(v, fieldType, at);
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
