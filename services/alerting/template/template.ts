import { formatValue } from './go-format.ts';
import { builtins, truthy, type FunctionContext, type TemplateFn } from './functions.ts';
import { escapeForContext } from './html-escape.ts';
import { TemplateError } from './lexer.ts';
import { parseTemplate, type Node, type Operand, type Parsed, type Pipeline } from './parser.ts';

export { TemplateError };

/** Rendering is bounded: a template cannot loop forever or build huge text from small input. */
const MAX_OUTPUT = 1 << 20;
const MAX_STEPS = 200_000;

class Scope {
  private readonly vars = new Map<string, unknown>();
  constructor(private readonly parent?: Scope) {}
  declare(name: string, value: unknown): void {
    this.vars.set(name, value);
  }
  set(name: string, value: unknown): void {
    if (this.vars.has(name) || !this.parent) this.vars.set(name, value);
    else this.parent.set(name, value);
  }
  get(name: string): unknown {
    if (this.vars.has(name)) return this.vars.get(name);
    if (this.parent) return this.parent.get(name);
    throw new TemplateError(`undefined variable "$${name}"`);
  }
}

export interface RenderOptions {
  /** Variables besides `$` (the dot): Prometheus's `$labels`, `$value`… */
  vars?: Record<string, unknown>;
  /** What the functions see (the dialect, the external URL, the query hook). */
  functions?: FunctionContext;
  /** Named templates from elsewhere (Alertmanager's template files); the template's own win. */
  defines?: Map<string, Node[]>;
  mode?: 'text' | 'html';
}

/** A parsed template, ready to render many times (rules render theirs on every evaluation). */
export class GoTemplate {
  private readonly parsed: Parsed;
  constructor(readonly source: string) {
    this.parsed = parseTemplate(source);
  }

  /**
   * `mode: 'html'` executes as Go's html/template does for HTML text and attributes: every action's output is
   * escaped for where it lands (see html-escape.ts), except values marked safe (`safeHtml`).
   */
  render(dot: unknown, opts: RenderOptions = {}): string {
    const { vars = {}, functions: ctx = {}, defines: extraDefines, mode = 'text' } = opts;
    const run = new Run(new Map([...(extraDefines ?? []), ...this.parsed.defines]), { ...builtins(ctx) }, mode);
    const scope = new Scope();
    scope.declare('', dot);
    for (const [k, v] of Object.entries(vars)) scope.declare(k, v);
    run.nodes(this.parsed.root, dot, scope);
    return run.out;
  }

  get defines(): Map<string, Node[]> {
    return this.parsed.defines;
  }
}

class Run {
  out = '';
  private steps = 0;
  constructor(
    private readonly defines: Map<string, Node[]>,
    private readonly fns: Record<string, TemplateFn>,
    private readonly mode: 'text' | 'html' = 'text',
  ) {}

  nodes(list: Node[], dot: unknown, scope: Scope): void {
    for (const node of list) this.node(node, dot, scope);
  }

  private node(node: Node, dot: unknown, scope: Scope): void {
    if (++this.steps > MAX_STEPS) throw new TemplateError('template too expensive');
    switch (node.n) {
      case 'text':
        return this.write(node.text);
      case 'action': {
        const v = this.pipe(node.pipe, dot, scope);
        if (node.pipe.decl.length === 0)
          this.write(this.mode === 'html' ? escapeForContext(this.out, v) : formatValue(v));
        return;
      }
      case 'if':
      case 'with': {
        const inner = new Scope(scope);
        const v = this.pipe(node.pipe, dot, inner);
        if (truthy(v)) this.nodes(node.then, node.n === 'with' ? v : dot, inner);
        else this.nodes(node.else, dot, new Scope(scope));
        return;
      }
      case 'range':
        return this.range(node, dot, scope);
      case 'template': {
        const body = this.defines.get(node.name);
        if (!body) throw new TemplateError(`no template "${node.name}"`);
        const arg = node.pipe ? this.pipe(node.pipe, dot, scope) : undefined;
        const s = new Scope();
        s.declare('', arg);
        return this.nodes(body, arg, s);
      }
    }
  }

  private range(node: Extract<Node, { n: 'range' }>, dot: unknown, scope: Scope): void {
    const inner = new Scope(scope);
    const decl = node.pipe.decl;
    const v = this.pipe({ ...node.pipe, decl: [] }, dot, inner);
    const entries: [unknown, unknown][] = Array.isArray(v)
      ? v.map((x, i) => [i, x])
      : v && typeof v === 'object'
        ? Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))
        : typeof v === 'number'
          ? Array.from({ length: v }, (_, i) => [i, i])
          : [];
    if (!entries.length) return this.nodes(node.else, dot, new Scope(scope));
    for (const [k, x] of entries) {
      const s = new Scope(inner);
      if (decl.length === 1) s.declare(decl[0] as string, x);
      if (decl.length === 2) {
        s.declare(decl[0] as string, k);
        s.declare(decl[1] as string, x);
      }
      this.nodes(node.then, x, s);
    }
  }

  private write(s: string): void {
    this.out += s;
    if (this.out.length > MAX_OUTPUT) throw new TemplateError('template output too large');
  }

  private pipe(p: Pipeline, dot: unknown, scope: Scope): unknown {
    let last: unknown;
    p.cmds.forEach((cmd, i) => {
      last = this.command(cmd, { dot, scope }, i > 0 ? [last] : []);
    });
    for (const name of p.decl) {
      if (p.assign) scope.set(name, last);
      else scope.declare(name, last);
    }
    return last;
  }

  private command(cmd: Operand[], at: { dot: unknown; scope: Scope }, piped: unknown[]): unknown {
    const { dot, scope } = at;
    const [head, ...rest] = cmd as [Operand, ...Operand[]];
    if (
      (head.o === 'field' || head.o === 'var' || head.o === 'sub') &&
      head.fields.length &&
      (rest.length || piped.length)
    ) {
      // A method given arguments (`.CommonLabels.Remove .GroupLabels.Names`, `(x).StartsAt.Format "…"`): Go
      // evaluates the chain up to the method, then calls it with the arguments (the piped value last).
      const start =
        head.o === 'field' ? dot : head.o === 'var' ? scope.get(head.name) : this.pipe(head.pipe, dot, scope);
      const receiver = fields(start, head.fields.slice(0, -1));
      const name = head.fields[head.fields.length - 1] as string;
      const method = receiver && typeof receiver === 'object' ? (receiver as Record<string, unknown>)[name] : undefined;
      if (typeof method !== 'function') throw new TemplateError(`can't give arguments to non-function ${name}`);
      const args = [...rest.map((o) => this.operand(o, dot, scope)), ...piped];
      return (method as (...a: unknown[]) => unknown).apply(receiver, args);
    }
    if (head.o === 'func') {
      const fn = this.fns[head.name];
      if (!fn) throw new TemplateError(`function "${head.name}" not defined`);
      const args = [...rest.map((o) => this.operand(o, dot, scope)), ...piped];
      try {
        return fn(...args);
      } catch (err) {
        throw new TemplateError(`error calling ${head.name}: ${(err as Error).message}`);
      }
    }
    if (rest.length || piped.length) throw new TemplateError(`can't give arguments to a non-function`);
    return this.operand(head, dot, scope);
  }

  private operand(o: Operand, dot: unknown, scope: Scope): unknown {
    switch (o.o) {
      case 'lit':
        return o.value;
      case 'field':
        return fields(dot, o.fields);
      case 'var':
        return fields(scope.get(o.name), o.fields);
      case 'sub':
        return fields(this.pipe(o.pipe, dot, scope), o.fields);
      case 'func': {
        const fn = this.fns[o.name];
        if (!fn) throw new TemplateError(`function "${o.name}" not defined`);
        return fn();
      }
    }
  }
}

/** Field access. A missing map key gives "" (Prometheus executes with missingkey=zero). */
function fields(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const f of path) {
    if (cur === null || cur === undefined) return '';
    if (typeof cur !== 'object') throw new TemplateError(`can't evaluate field ${f} in type ${typeof cur}`);
    const next = (cur as Record<string, unknown>)[f];
    cur = typeof next === 'function' ? (next as () => unknown).call(cur) : next === undefined ? '' : next;
  }
  return cur;
}
