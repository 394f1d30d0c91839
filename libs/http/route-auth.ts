import type { Role } from '../config/config.schema.ts';

/**
 * Per-route access rule, set in a route's `config`. Every route is protected unless it says `public: true`;
 * the default role is viewer for reads and editor for writes.
 */
export interface RouteAccess {
  public?: boolean;
  role?: Role;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: import('../auth/principal.ts').Principal;
  }
}

export function requiredRole(method: string, access: RouteAccess | undefined): Role {
  if (access?.role) return access.role;
  return method === 'GET' || method === 'HEAD' ? 'viewer' : 'editor';
}
