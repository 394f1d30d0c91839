import type { SyntaxNode } from '@lezer/common';
import { InputError } from '../errors/errors.ts';
import type { DurationExpr } from './ast.ts';
import { durationMs, needsQueryTimes } from './durations.ts';
import { parseDuration, tryParseDuration } from '../time/duration.ts';
import { parseNumber } from './literals.ts';
import { allows3, type ParseOptions } from './parse-options.ts';

/** Child nodes, comments left out (they may sit between any two tokens). */
export function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
  return out;
}

const DURATION_OPS: Record<string, '+' | '-' | '*' | '/' | '%' | '^'> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
};

/** A parsed duration: milliseconds, and the expression when it was not a plain literal. */
interface Duration {
  ms: number;
  expr?: DurationExpr;
}

/**
 * The leaves of the lezer tree every part of the builder reads (parse-tree.ts): source text, numbers and
 * durations, and the refusals of syntax the chosen Prometheus version would not parse.
 */
export abstract class TreeReader {
  constructor(
    protected readonly src: string,
    protected readonly opts: ParseOptions,
  ) {}

  protected text(n: SyntaxNode): string {
    return this.src.slice(n.from, n.to);
  }

  protected unsupported(n: SyntaxNode, what: string): never {
    throw new InputError(`parse error: ${what} ("${this.text(n)}") is not supported by Prometheus 2.42`);
  }

  /** 3.x-only syntax under 2.42 rules is refused as 2.42 refuses it. */
  protected needs3(n: SyntaxNode, what: string): void {
    if (!allows3(this.opts)) this.unsupported(n, what);
  }

  /** A number; 3.x also reads a duration literal as its seconds (`5m` = 300). */
  protected number(n: SyntaxNode): number {
    const t = this.text(n);
    if (allows3(this.opts)) {
      const sign = t.startsWith('-') ? -1 : 1;
      const ms = tryParseDuration(t.replace(/^[+-]/, ''));
      if (ms !== undefined && /[a-z]$/i.test(t) && !/^[+-]?(inf|nan)$/i.test(t)) return (sign * ms) / 1000;
    }
    return parseNumber(t);
  }

  /** A literal in a duration: exact milliseconds for `1h30m`; 3.x also takes plain seconds (`x[90]`). */
  protected durationLiteralMs(n: SyntaxNode): number {
    const t = this.text(n);
    const ms = tryParseDuration(t);
    if (ms !== undefined || !allows3(this.opts)) return ms ?? parseDuration(t);
    const seconds = parseNumber(t);
    if (!Number.isFinite(seconds)) throw new InputError('parse error: duration is NaN or infinite');
    return Math.trunc(seconds * 1000);
  }

  /** DurationExpr / OffsetDurationExpr: a literal, or (3.x) arithmetic, step(), range(). */
  protected durationExpr(n: SyntaxNode): DurationExpr {
    const c = kids(n);
    if (c.length === 1 && c[0]?.name === 'NumberDurationLiteralInDurationContext')
      return { kind: 'dnum', seconds: this.durationLiteralMs(c[0]) / 1000 };
    // `offset -5m` is 2.42 syntax too; anything else here is 3.x's duration arithmetic.
    const negativeOffset =
      n.name === 'OffsetDurationExpr' &&
      c[0]?.name === 'UnaryOp' &&
      kids(c[1] as SyntaxNode)[0]?.name === 'NumberDurationLiteralInDurationContext';
    if (!negativeOffset) this.needs3(n, 'duration arithmetic');
    if (c.length === 1 && c[0]?.name === 'DurationExpr') return { kind: 'dparen', expr: this.durationExpr(c[0]) };
    if (c[0]?.name === 'DurationStep') return { kind: 'dstep' };
    if (c[0]?.name === 'DurationRange') return { kind: 'drange' };
    if (c[0]?.name === 'UnaryOp')
      return { kind: 'dunary', op: this.text(c[0]) as '-' | '+', expr: this.durationExpr(c[1] as SyntaxNode) };
    if (c.length === 3 && c[1] && DURATION_OPS[c[1].name])
      return {
        kind: 'dbinary',
        op: DURATION_OPS[c[1].name] as '+',
        lhs: this.durationExpr(c[0] as SyntaxNode),
        rhs: this.durationExpr(c[2] as SyntaxNode),
      };
    return this.unsupported(n, 'this duration expression');
  }

  protected duration(n: SyntaxNode, allowNegative = false): Duration {
    const expr = this.durationExpr(n);
    if (expr.kind === 'dnum') {
      const ms = Math.round(expr.seconds * 1000);
      if (ms <= 0 && !allowNegative && allows3(this.opts))
        throw new InputError('parse error: duration must be greater than 0');
      return { ms };
    }
    if (expr.kind === 'dunary' && expr.expr.kind === 'dnum')
      return { ms: (expr.op === '-' ? -1 : 1) * Math.round(expr.expr.seconds * 1000) };
    // Known now unless it reads the query's step or range; resolveDurations fills it in then.
    return needsQueryTimes(expr)
      ? { ms: 0, expr }
      : { ms: durationMs(expr, { stepMs: 0, rangeMs: 0 }, allowNegative), expr };
  }
}
