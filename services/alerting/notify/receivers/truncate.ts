/**
 * Alertmanager's notify.TruncateInRunes / TruncateInBytes: providers cap titles and messages, and Alertmanager cuts
 * them with a trailing "…" rather than have the provider refuse the whole notification.
 */
const MARKER = '…';

export function truncateRunes(s: string, n: number): string {
  const runes = [...s];
  if (runes.length <= n) return s;
  return n <= 3 ? runes.slice(0, n).join('') : runes.slice(0, n - 1).join('') + MARKER;
}

export function truncateBytes(s: string, n: number): string {
  if (Buffer.byteLength(s) <= n) return s;
  if (n <= 3) return n === 3 ? MARKER : '.'.repeat(n);
  const runes = [...s];
  let out = '';
  for (const r of runes) {
    if (Buffer.byteLength(out + r) > n - 3) break;
    out += r;
  }
  return out + MARKER;
}
