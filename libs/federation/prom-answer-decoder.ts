import { parseValue } from '../promql/literals.ts';
import type { CompactSeries } from './compact-series.ts';
import { PromAnswerStream } from './prom-answer-stream.ts';

/**
 * Below this many bytes a member's answer is parsed whole with JSON.parse, then its series turned into the compact
 * form (issue 21, Deliver 1): on small answers V8's native parser is faster than the byte-level tokenizer, whose
 * job is to keep big answers from ever being held whole (Deliver 3). Above it, what was kept goes to the tokenizer
 * and the rest streams; so at most this much text (and its JSON tree, a few times that) is held per call.
 */
export const WHOLE_ANSWER_BYTES = 1 << 20;

/**
 * A member's `query` / `query_range` answer, decoded into what PromAnswerStream gives (the envelope as JSON.parse
 * builds it, each vector / matrix series as a CompactSeries), whichever way it is read: whole when it ends within
 * `wholeBytes`, else streamed.
 */
export class PromAnswerDecoder {
  private chunks: Buffer[] = [];
  private size = 0;
  private stream: PromAnswerStream | undefined;

  constructor(private readonly wholeBytes = WHOLE_ANSWER_BYTES) {}

  push(chunk: Buffer): void {
    if (this.stream) {
      this.stream.push(chunk);
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
    if (this.size <= this.wholeBytes) return;
    const stream = new PromAnswerStream();
    for (const c of this.chunks) stream.push(c);
    this.chunks = [];
    this.stream = stream;
  }

  end(): unknown {
    if (this.stream) return this.stream.end();
    const text =
      this.chunks.length === 1
        ? (this.chunks[0] as Buffer).toString('utf8')
        : Buffer.concat(this.chunks).toString('utf8');
    this.chunks = [];
    return compactAnswer(JSON.parse(text));
  }
}

/**
 * JSON.parse's tree of an answer with the series of `data.result` in the compact form, as PromAnswerStream reads
 * them: `values` (an array) and `value` (an array) give the points, each exactly `[number, "string"]` (else a
 * SyntaxError, never a partial series); `histogram` / `histograms` kept as JSON; other keys of a series dropped.
 */
export function compactAnswer(root: unknown): unknown {
  if (!isObject(root) || !isObject(root.data)) return root;
  const result = root.data.result;
  if (!Array.isArray(result)) return root;
  for (let i = 0; i < result.length; i++) if (isObject(result[i])) result[i] = compactSeries(result[i] as Plain);
  return root;
}

type Plain = Record<string, unknown>;

const isObject = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function compactSeries(s: Plain): CompactSeries {
  // The stream takes a series' points in the order its keys come (JSON.parse keeps that order too).
  let points: unknown[][] = [];
  let instant = false;
  let hasValues = false;
  let histograms: [number, unknown][] | undefined;
  for (const key of Object.keys(s)) {
    const value = s[key];
    if (key === 'values' && Array.isArray(value)) {
      hasValues = true;
      points = points.length ? points.concat(value) : value;
    } else if (key === 'value' && Array.isArray(value)) {
      instant = true;
      points = points.concat([value]);
    } else if (key === 'histograms') histograms = value as [number, unknown][];
    else if (key === 'histogram') {
      instant = true;
      histograms = [value as [number, unknown]];
    }
  }
  const n = points.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    if (!Array.isArray(p)) throw new SyntaxError('a sample is [time, "value"]');
    if (p.length !== 2) throw new SyntaxError(`a sample is [time, "value"]: got ${p.length} elements`);
    const [time, text] = p as [unknown, unknown];
    if (typeof time !== 'number') throw new SyntaxError('a sample is [time, "value"]: a string where the time goes');
    if (typeof text !== 'string') throw new SyntaxError('a sample is [time, "value"]: a number where the value goes');
    t[i] = time;
    v[i] = parseValue(text);
  }
  const out: CompactSeries = {
    metric: (Object.hasOwn(s, 'metric') ? s.metric : {}) as Record<string, string>,
    t,
    v,
    instant,
    hasValues,
  };
  if (histograms) out.histograms = histograms;
  return out;
}
