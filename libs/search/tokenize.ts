/**
 * The one definition of "a word" for the search language `q`, shared by both record stores so a query means
 * the same on SQLite and OpenSearch:
 *
 * - split on every run of characters that are not Unicode letters or digits (`[^\p{L}\p{N}]+`);
 * - lowercase each character on its own (Java's `Character.toLowerCase`, which Lucene's lowercase filter uses:
 *   no context-dependent final sigma, and `İ` becomes `i`);
 * - cut tokens to {@link MAX_TOKEN_LENGTH} UTF-16 units (Lucene's `truncate` filter), so a huge blob without
 *   separators cannot exceed Lucene's 32 KiB term limit.
 *
 * The OpenSearch index templates declare the same pipeline (pattern tokenizer + lowercase + truncate).
 */
export const TOKEN_SEPARATOR_PATTERN = '[^\\p{L}\\p{N}]+';
export const MAX_TOKEN_LENGTH = 1000;

const SEPARATOR = new RegExp(TOKEN_SEPARATOR_PATTERN, 'u');
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** Per-character lowercasing, as Java's Character.toLowerCase does it (simple case mapping). */
export function lowerSimple(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let out = '';
  for (const ch of text) {
    if (ch === '\u0130') {
      out += 'i';
      continue;
    }
    const lower = ch.toLowerCase();
    // Full mappings that grow the string have no simple mapping of that length: keep the character.
    out += [...lower].length === 1 ? lower : ch;
  }
  return out;
}

export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const part of text.split(SEPARATOR)) {
    if (part === '') continue;
    tokens.push(lowerSimple(part).slice(0, MAX_TOKEN_LENGTH));
  }
  return tokens;
}
