import { CST, Lexer, parseAllDocuments, type Document } from 'yaml';
import { InputError } from '../errors/errors.ts';

/**
 * Limits on YAML text, so that no document can stall or crash the process:
 *
 * - `maxBytes`: the yaml package composes about 250 KB of YAML per second (measured here), so a body at
 *   server.bodyLimitBytes would block the event loop for a minute. JSON text skips YAML (JSON.parse).
 * - `maxDepth`: composing is recursive; past ~900 levels it overflows the stack, and a later regular
 *   expression compiled near the stack limit aborts Node with "RegExpCompiler Allocation failed" (seen
 *   here with 1,000 nested block sequences followed by 10,000): the depth is checked on the lexer's tokens
 *   (linear, not recursive) before anything is composed.
 * - `maxAliasCount`: the yaml package's own guard against alias bombs ("billion laughs"),
 *   https://eemeli.org/yaml/#tojs-options; 100 is its default for toJS.
 */
export interface YamlLimits {
  maxBytes: number;
  maxDepth: number;
  maxAliasCount: number;
}

/** A document refused for its size, depth or aliases (a 400, as every InputError). */
export class YamlLimitError extends InputError {
  constructor(source: string, message: string, detail: string) {
    super(`${source}: ${message}`, [{ path: source, message: detail }]);
  }
}

/** For YAML sent in a request (dashboards, imports). */
export const REQUEST_YAML_LIMITS: YamlLimits = { maxBytes: 256 * 1024, maxDepth: 200, maxAliasCount: 100 };
/** For files the operator provides (rule files): no size limit, the same structural guards. */
export const FILE_YAML_LIMITS: YamlLimits = { maxBytes: Number.POSITIVE_INFINITY, maxDepth: 200, maxAliasCount: 100 };

/**
 * Every document of a YAML stream, after the size and depth checks. Syntax errors stay on each document
 * (`doc.errors`), as parseAllDocuments reports them; limits are InputErrors naming `source`.
 */
export function parseYamlDocuments(text: string, source: string, limits: YamlLimits): Document[] {
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxBytes) {
    throw new YamlLimitError(
      source,
      `YAML of ${bytes} bytes is over the limit of ${limits.maxBytes} bytes; send JSON (application/json) or a smaller document`,
      `YAML over ${limits.maxBytes} bytes`,
    );
  }
  const depth = yamlDepth(text);
  if (depth > limits.maxDepth) {
    throw new YamlLimitError(
      source,
      `YAML nested deeper than ${limits.maxDepth} levels (or indented past column ${limits.maxDepth})`,
      `nested deeper than ${limits.maxDepth} levels`,
    );
  }
  const docs = parseAllDocuments(text, { prettyErrors: false });
  // A stream with no document at all comes back as an EmptyStream, not an array.
  return Array.isArray(docs) ? docs : [];
}

/** doc.toJS under the alias limit; an alias bomb becomes a 400 that says what it is. */
export function yamlToJs(doc: Document, source: string, limits: YamlLimits): unknown {
  try {
    return doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    if (err instanceof ReferenceError || err instanceof RangeError) {
      throw new YamlLimitError(
        source,
        `YAML aliases expand past ${limits.maxAliasCount} nodes (an alias bomb) or do not resolve: ${err.message}`,
        'alias expansion refused',
      );
    }
    throw err;
  }
}

const OPENS = new Set(['flow-map-start', 'flow-seq-start']);
const CLOSES = new Set(['flow-map-end', 'flow-seq-end']);
const LAYOUT = new Set(['space', 'comment']);
/** Tokens the lexer inserts that are not in the text (document and scalar markers). */
const MARKERS = new Set(['doc-mode', 'flow-error-end', 'scalar', 'byte-order-mark']);

/**
 * An upper bound of the nesting depth, from the lexer's tokens: in block context a nested node starts at
 * least one column right of its parent, so the start column of a token bounds its depth; inside flow
 * collections the bracket depth is added to the column the outermost one opened at.
 */
export function yamlDepth(text: string): number {
  let column = 0;
  let flow = 0;
  let flowBase = 0;
  let max = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type === 'newline') {
      column = 0;
      continue;
    }
    if (type && MARKERS.has(type)) continue;
    if (!type || !LAYOUT.has(type)) {
      if (type && OPENS.has(type) && flow++ === 0) flowBase = column;
      max = Math.max(max, flow > 0 ? flowBase + flow : column + 1);
      if (type && CLOSES.has(type)) flow = Math.max(0, flow - 1);
    }
    // Block scalars and multi-line quoted scalars span lines: the column restarts after their last newline.
    const lastNewline = token.lastIndexOf('\n');
    column = lastNewline >= 0 ? token.length - lastNewline - 1 : column + token.length;
  }
  return max;
}
