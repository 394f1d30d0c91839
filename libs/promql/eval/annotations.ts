import { formatG } from '../go-format.ts';

/**
 * Prometheus 3's query annotations (util/annotations, v0.316.0) for what Pharos evaluates itself: "PromQL
 * warning: …" go to `warnings`, "PromQL info: …" to `infos`, each once per text, with the position of the
 * expression it is about as `(line:col)` in the query (posrange.StartPosInput). The forced-monotonicity info of
 * histogram_quantile is merged over the steps, as Prometheus merges it.
 */
interface Note {
  level: 'warning' | 'info';
  text: string;
  pos: number | undefined;
  /** histogram_quantile's forced monotonicity: buckets, biggest difference, steps and times. */
  monotonicity?: { minBucket: number; maxBucket: number; maxDiff: number; count: number; minTs: number; maxTs: number };
}

export class Annotations {
  private readonly notes = new Map<string, Note>();

  warn(text: string, pos: number | undefined): void {
    if (!this.notes.has(text)) this.notes.set(text, { level: 'warning', text: `PromQL warning: ${text}`, pos });
  }

  info(text: string, pos: number | undefined): void {
    if (!this.notes.has(text)) this.notes.set(text, { level: 'info', text: `PromQL info: ${text}`, pos });
  }

  forcedMonotonicity(
    pos: number | undefined,
    tMs: number,
    m: { minBucket: number; maxBucket: number; maxDiff: number },
  ): void {
    const key = 'forced monotonicity';
    const have = this.notes.get(key)?.monotonicity;
    if (!have) {
      this.notes.set(key, {
        level: 'info',
        text: 'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)',
        pos,
        monotonicity: { ...m, count: 0, minTs: tMs, maxTs: tMs },
      });
      return;
    }
    have.minBucket = Math.min(have.minBucket, m.minBucket);
    have.maxBucket = Math.max(have.maxBucket, m.maxBucket);
    have.maxDiff = Math.max(have.maxDiff, m.maxDiff);
    have.minTs = Math.min(have.minTs, tMs);
    have.maxTs = Math.max(have.maxTs, tMs);
    have.count++;
  }

  /** The texts as Prometheus's API gives them for `query`. */
  render(query: string): { warnings: string[]; infos: string[] } {
    const out = { warnings: [] as string[], infos: [] as string[] };
    for (const n of this.notes.values()) {
      const at = position(query, n.pos);
      const m = n.monotonicity;
      const text = m
        ? `${n.text}, from buckets ${formatG(m.minBucket)} to ${formatG(m.maxBucket)}, with a max diff of ${formatG(m.maxDiff, 2)}, over ${m.count + 1} samples from ${rfc3339(m.minTs)} to ${rfc3339(m.maxTs)} (${at})`
        : `${n.text} (${at})`;
      (n.level === 'warning' ? out.warnings : out.infos).push(text);
    }
    return out;
  }
}

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** posrange.StartPosInput: 1-based line and column of an offset. */
function position(query: string, pos: number | undefined): string {
  if (pos === undefined) return 'unknown position';
  if (pos < 0 || pos > query.length) return 'invalid position';
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < pos; i++) {
    if (query[i] === '\n') {
      lastBreak = i;
      line++;
    }
  }
  return `${line}:${pos - lastBreak}`;
}

export { formatG };
