import type { IncomingHttpHeaders } from 'node:http';
import type { CacheControl } from '../../../libs/federation/frontend/frontend.types.ts';

/**
 * The request's cache directives for the query frontend (RFC 9111 §5.2.1): `no-store` = neither read nor
 * keep, `no-cache` = answer afresh (and keep that answer), as does HTTP/1.0's `Pragma: no-cache` when no
 * Cache-Control is sent (§5.4). Other directives (`max-age`, which browsers send on reload) are not read.
 */
export function cacheControlOf(headers: IncomingHttpHeaders): { cacheControl?: CacheControl } {
  const cc = headers['cache-control'];
  const directives = (cc === undefined ? String(headers.pragma ?? '') : String(cc))
    .toLowerCase()
    .split(',')
    .map((d) => d.trim());
  if (directives.includes('no-store')) return { cacheControl: 'no-store' };
  if (directives.includes('no-cache')) return { cacheControl: 'no-cache' };
  return {};
}
