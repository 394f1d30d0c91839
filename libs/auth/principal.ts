import type { Role } from '../config/config.schema.ts';

/** Who is calling, with what role and scope. `*` in a scope list means every value. */
export interface Principal {
  name: string;
  role: Role;
  scope: Scope;
  /** How the caller authenticated (for Pharos's own audit trail). */
  via: 'token' | 'jwt' | 'anonymous';
}

export interface Scope {
  clusters: readonly string[];
  namespaces: readonly string[];
}

export const FULL_SCOPE: Scope = Object.freeze({ clusters: Object.freeze(['*']), namespaces: Object.freeze(['*']) });

export const isUnrestricted = (list: readonly string[]): boolean => list.includes('*');

export function scopeAllows(scope: Scope, cluster: string | undefined, namespace: string | undefined): boolean {
  const clusterOk = isUnrestricted(scope.clusters) || (cluster !== undefined && scope.clusters.includes(cluster));
  const nsOk = isUnrestricted(scope.namespaces) || (namespace !== undefined && scope.namespaces.includes(namespace));
  return clusterOk && nsOk;
}

const RANK: Record<Role, number> = { ingest: 0, viewer: 1, editor: 2, admin: 3 };

/**
 * Role check. `ingest` is not below viewer in a line: it may only use the collector intakes, and only
 * admin may ingest besides it.
 */
export function roleAllows(role: Role, needed: Role): boolean {
  if (needed === 'ingest') return role === 'ingest' || role === 'admin';
  if (role === 'ingest') return false;
  return RANK[role] >= RANK[needed];
}
