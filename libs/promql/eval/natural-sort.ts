/**
 * The natural order sort_by_label uses (github.com/facette/natsort, Compare): strings split into runs of ASCII
 * digits and of anything else; two digit runs that fit an int compare as numbers, other runs as strings; a string
 * that runs out of chunks first while all before were equal is the smaller.
 */
const CHUNK = /\d+|\D+/g;
const INT = /^\d+$/;
const MAX_INT64 = 2n ** 63n - 1n;

function asInt(chunk: string): bigint | undefined {
  if (!INT.test(chunk)) return undefined;
  const v = BigInt(chunk);
  return v > MAX_INT64 ? undefined : v;
}

/** True when `a` sorts before `b`. */
export function naturalLess(a: string, b: string): boolean {
  const ca = a.match(CHUNK) ?? [];
  const cb = b.match(CHUNK) ?? [];
  for (let i = 0; i < ca.length; i++) {
    if (i >= cb.length) return false;
    const x = ca[i] as string;
    const y = cb[i] as string;
    const xi = asInt(x);
    const yi = asInt(y);
    const same = xi !== undefined && yi !== undefined ? xi === yi : x === y;
    if (!same) return xi !== undefined && yi !== undefined ? xi < yi : x < y;
    if (i === ca.length - 1) return true;
    if (i === cb.length - 1) return false;
  }
  return false;
}
