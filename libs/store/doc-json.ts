/**
 * The JSON text of a stored doc, without serializing it again when it is already known. The indexer
 * receives every record as JSON text, parses it and validates it (zod); when the validated doc is exactly
 * the parsed text (no key stripped), that text is what the store writes. Serializing 100k docs again cost
 * the indexer about as much CPU as parsing them (bench/ingest.bench.ts profiles). A WeakMap, not a field on
 * the doc, so the doc keeps its schema shape and the text goes when the doc does.
 */
const texts = new WeakMap<object, string>();

/** Records that `text` is the JSON of `doc`; the caller guarantees JSON.parse(text) deep-equals doc. */
export function withJson<T extends object>(doc: T, text: string): T {
  texts.set(doc, text);
  return doc;
}

/** The doc as one line of JSON. */
export function docJson(doc: object): string {
  return texts.get(doc) ?? JSON.stringify(doc);
}
