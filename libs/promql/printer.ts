import type { AtModifier, DurationExpr, Expr, LabelMatcher, VectorSelector } from './ast.ts';
import { printDuration } from './durations.ts';
import { formatDuration } from '../time/duration.ts';
import { formatNumberLiteral, quote } from './literals.ts';

/**
 * AST → PromQL text that Prometheus parses back to the same tree. Used to send cluster-local subtrees to
 * each cluster, so every operator is parenthesised where precedence could otherwise change the meaning.
 */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return formatNumberLiteral(e.value);
    case 'string':
      return quote(e.value);
    case 'vector':
      return printSelector(e);
    case 'matrix': {
      const ext = e.anchored ? ' anchored' : e.smoothed ? ' smoothed' : '';
      return `${printSelectorBody(e.selector)}[${dur(e.rangeMs, e.rangeExpr)}]${modifiers(e.selector.offsetMs, e.selector.at, e.selector.offsetExpr)}${ext}`;
    }
    case 'subquery':
      return `${wrap(e.expr)}[${dur(e.rangeMs, e.rangeExpr)}:${e.stepMs || e.stepExpr ? dur(e.stepMs, e.stepExpr) : ''}]${modifiers(e.offsetMs, e.at, e.offsetExpr)}`;
    case 'paren':
      return `(${printExpr(e.expr)})`;
    case 'unary':
      return `${e.op}${wrap(e.expr)}`;
    case 'binary': {
      let mods = e.bool ? ' bool' : '';
      const m = e.matching;
      if (m && (m.on || m.labels.length > 0))
        mods += ` ${m.on ? 'on' : 'ignoring'}(${m.labels.map(labelName).join(', ')})`;
      if (m?.card === 'many-to-one') mods += ` group_left(${m.include.map(labelName).join(', ')})`;
      if (m?.card === 'one-to-many') mods += ` group_right(${m.include.map(labelName).join(', ')})`;
      if (m?.fill) mods += fillModifiers(m.fill);
      return `${wrap(e.lhs)} ${e.op}${mods} ${wrap(e.rhs)}`;
    }
    case 'aggregate': {
      const grouping =
        e.without || e.grouping.length > 0
          ? ` ${e.without ? 'without' : 'by'} (${e.grouping.map(labelName).join(', ')})`
          : '';
      const args = e.param ? `${printExpr(e.param)}, ${printExpr(e.expr)}` : printExpr(e.expr);
      return `${e.op}${grouping} (${args})`;
    }
    case 'call':
      return `${e.func}(${e.args.map(printExpr).join(', ')})`;
    case 'leaf':
      return printExpr(e.expr);
  }
}

/** Atoms print bare; anything with an operator gets parentheses. */
function wrap(e: Expr): string {
  const atom =
    e.kind === 'number'
      ? e.value >= 0 || Number.isNaN(e.value)
      : ['string', 'vector', 'matrix', 'subquery', 'paren', 'call', 'aggregate'].includes(e.kind);
  return atom ? printExpr(e) : `(${printExpr(e)})`;
}

function labelName(n: string): string {
  return /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n) ? n : quote(n);
}

function printMatcher(m: LabelMatcher): string {
  return `${labelName(m.name)}${m.op}${quote(m.value)}`;
}

function printSelectorBody(s: VectorSelector): string {
  const nameIdx = s.matchers.findIndex(
    (m) => m.name === '__name__' && m.op === '=' && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(m.value),
  );
  const name = nameIdx >= 0 ? (s.matchers[nameIdx] as LabelMatcher).value : '';
  const rest = s.matchers.filter((_, i) => i !== nameIdx);
  return rest.length === 0 ? name : `${name}{${rest.map(printMatcher).join(', ')}}`;
}

function printSelector(s: VectorSelector): string {
  return `${printSelectorBody(s)}${modifiers(s.offsetMs, s.at, s.offsetExpr)}`;
}

/** A duration as written (an expression stays one), else the resolved milliseconds. */
function dur(ms: number, expr: DurationExpr | undefined): string {
  return expr ? printDuration(expr) : formatDuration(ms);
}

function modifiers(offsetMs: number, at: AtModifier | undefined, offsetExpr?: DurationExpr): string {
  let out = '';
  if (at) out += at.kind === 'time' ? ` @ ${(at.ms / 1000).toFixed(3)}` : ` @ ${at.kind}()`;
  if (offsetExpr)
    out += ` offset ${offsetExpr.kind === 'dbinary' ? `(${printDuration(offsetExpr)})` : printDuration(offsetExpr)}`;
  else if (offsetMs !== 0) out += ` offset ${offsetMs < 0 ? '-' : ''}${formatDuration(Math.abs(offsetMs))}`;
  return out;
}

function fillModifiers(f: { lhs?: number; rhs?: number }): string {
  if (f.lhs !== undefined && f.rhs !== undefined && Object.is(f.lhs, f.rhs))
    return ` fill(${formatNumberLiteral(f.lhs)})`;
  let out = '';
  if (f.lhs !== undefined) out += ` fill_left(${formatNumberLiteral(f.lhs)})`;
  if (f.rhs !== undefined) out += ` fill_right(${formatNumberLiteral(f.rhs)})`;
  return out;
}
