import { InputError } from '../errors/errors.ts';

export type BulkOp = 'index' | 'create' | 'update' | 'delete';

/** One action of a bulk body with its document (none for delete). */
export interface BulkAction {
  op: BulkOp;
  index: string | undefined;
  id: string | undefined;
  /** The document (none for delete). */
  source: Record<string, unknown> | undefined;
  /** Why the document could not be read: the item then fails alone, as in Elasticsearch. */
  problem?: string | undefined;
}

const OPS = new Set<BulkOp>(['index', 'create', 'update', 'delete']);

/**
 * A `_bulk` body (https://www.elastic.co/guide/en/elasticsearch/reference/current/docs-bulk.html): NDJSON
 * of action lines, each but `delete` followed by its document. `_type` in an action (Vector before 0.31,
 * old Fluent Bit, Logstash 6: vector#17690) is accepted and ignored, as Elasticsearch 7 did. An action
 * line that cannot be read refuses the whole request (Elasticsearch answers 400 then too); a document that
 * cannot be read fails only its own item.
 */
export function parseBulk(text: string): BulkAction[] {
  const lines = text.split('\n');
  const actions: BulkAction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const { op, meta } = actionLine(line, i);
    if (op === 'delete') {
      actions.push({ op, index: str(meta._index), id: str(meta._id), source: undefined });
      continue;
    }
    i += 1;
    const sourceLine = lines[i];
    if (sourceLine === undefined || sourceLine.trim() === '')
      throw new InputError(`line ${i + 1}: the ${op} action of line ${i} needs a document on the next line`);
    actions.push({ op, index: str(meta._index), id: str(meta._id), ...document(sourceLine) });
  }
  return actions;
}

function actionLine(line: string, i: number): { op: BulkOp; meta: Record<string, unknown> } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new InputError(`line ${i + 1}: Malformed action/metadata line: ${(err as Error).message}`);
  }
  const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  const op = keys[0] as BulkOp | undefined;
  if (keys.length !== 1 || !op || !OPS.has(op)) {
    throw new InputError(
      `line ${i + 1}: Malformed action/metadata line: expected one of index, create, update, delete, got ${JSON.stringify(keys)}`,
    );
  }
  const meta = (value as Record<string, unknown>)[op];
  if (!meta || typeof meta !== 'object' || Array.isArray(meta))
    throw new InputError(`line ${i + 1}: the ${op} action must be an object`);
  return { op, meta: meta as Record<string, unknown> };
}

function document(line: string): Pick<BulkAction, 'source' | 'problem'> {
  try {
    const value: unknown = JSON.parse(line);
    if (value && typeof value === 'object' && !Array.isArray(value))
      return { source: value as Record<string, unknown> };
    return { source: undefined, problem: 'the document must be a JSON object' };
  } catch (err) {
    return { source: undefined, problem: `failed to parse the document: ${(err as Error).message}` };
  }
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
