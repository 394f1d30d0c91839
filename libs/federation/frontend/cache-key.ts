import { hash } from 'node:crypto';

/** Bumped whenever the stored format or the meaning of a key changes: older entries are then never read. */
const FORMAT = 1;

/**
 * Everything an answer depends on besides the members' data. Thanos has shipped wrong answers from keys that
 * left a parameter out (thanos#5847: lookback_delta), so each part is named here and hashed together.
 */
export interface KeyParts {
  /** `panel`: a dashboard panel rendered from range and instant answers (derived-cache.ts). */
  kind: 'range' | 'instant' | 'series' | 'labels' | 'label-values' | 'panel';
  /** The text the engine receives: the caller's scope is already ANDed onto its selectors. */
  query: string;
  /** And who the caller is, so no answer is shared across scopes even where the text is the same. */
  scopeKey: string;
  /** Configured clusters (names, endpoints) and the limits that decide what is refused. */
  fingerprint: string;
  /** The members' Prometheus versions: an upgrade changes what some functions answer (issue 16). */
  memberVersions: string;
  /** Range: step, the grid's phase and the split interval's index and length; instant: the time. */
  window: Record<string, number>;
}

/** A memcached-safe key (no spaces, far below 250 bytes): a digest of every part. */
export function cacheKey(p: KeyParts): string {
  // crypto.hash: the one-shot digest, a third of createHash().update().digest()'s time on strings this short
  // (issue 21: a key is made per range part and per instant or metadata lookup).
  const digest = hash(
    'sha256',
    JSON.stringify([
      FORMAT,
      p.kind,
      p.query,
      p.scopeKey,
      p.fingerprint,
      p.memberVersions,
      Object.entries(p.window).sort(),
    ]),
    'base64url',
  );
  return `pharos:fq${FORMAT}:${digest}`;
}
