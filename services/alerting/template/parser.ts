import { lex, TemplateError, type Token } from './lexer.ts';

/** The parsed template: text, actions and the control structures Prometheus and Alertmanager templates use. */
export type Node =
  | { n: 'text'; text: string }
  | { n: 'action'; pipe: Pipeline }
  | { n: 'if' | 'with'; pipe: Pipeline; then: Node[]; else: Node[] }
  | { n: 'range'; pipe: Pipeline; then: Node[]; else: Node[] }
  | { n: 'template'; name: string; pipe: Pipeline | undefined };

export type Operand =
  | { o: 'field'; fields: string[] }
  | { o: 'var'; name: string; fields: string[] }
  | { o: 'lit'; value: unknown }
  | { o: 'func'; name: string }
  | { o: 'sub'; pipe: Pipeline; fields: string[] };

export interface Pipeline {
  decl: string[];
  /** `=` instead of `:=`: assigns an existing variable. */
  assign: boolean;
  cmds: Operand[][];
}

export interface Parsed {
  root: Node[];
  defines: Map<string, Node[]>;
}

const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

export function parseTemplate(src: string): Parsed {
  const items = lex(src);
  const defines = new Map<string, Node[]>();
  let i = 0;

  /** Parses nodes until `end` or `else`; returns which one stopped it (and the else's tokens). */
  const list = (top: boolean): { nodes: Node[]; stop: 'end' | 'else' | 'eof'; elseTokens?: Token[] } => {
    const nodes: Node[] = [];
    while (i < items.length) {
      const item = items[i++] as (typeof items)[number];
      if (item.kind === 'text') {
        nodes.push({ n: 'text', text: item.text });
        continue;
      }
      const [head, ...rest] = item.tokens;
      const kw = head?.t === 'ident' && KEYWORDS.has(head.v) ? head.v : undefined;
      if (kw === 'end') {
        if (top) throw new TemplateError('unexpected {{end}}');
        return { nodes, stop: 'end' };
      }
      if (kw === 'else') {
        if (top) throw new TemplateError('unexpected {{else}}');
        return { nodes, stop: 'else', elseTokens: rest };
      }
      if (kw === 'if' || kw === 'with' || kw === 'range') nodes.push(control(kw, rest));
      else if (kw === 'define' || kw === 'block') {
        const name = rest[0]?.t === 'string' ? rest[0].v : undefined;
        if (name === undefined) throw new TemplateError(`{{${kw}}} needs a quoted name`);
        const body = list(false);
        if (body.stop !== 'end') throw new TemplateError(`{{${kw} "${name}"}} is not closed`);
        defines.set(name, body.nodes);
        if (kw === 'block')
          nodes.push({ n: 'template', name, pipe: rest.length > 1 ? pipeline(rest.slice(1)) : undefined });
      } else if (kw === 'template') {
        const name = rest[0]?.t === 'string' ? rest[0].v : undefined;
        if (name === undefined) throw new TemplateError('{{template}} needs a quoted name');
        nodes.push({ n: 'template', name, pipe: rest.length > 1 ? pipeline(rest.slice(1)) : undefined });
      } else if (kw) throw new TemplateError(`{{${kw}}} is not supported`);
      else nodes.push({ n: 'action', pipe: pipeline(item.tokens) });
    }
    if (!top) throw new TemplateError('missing {{end}}');
    return { nodes, stop: 'eof' };
  };

  const control = (kw: 'if' | 'with' | 'range', tokens: Token[]): Node => {
    const pipe = pipeline(tokens);
    const body = list(false);
    let elseNodes: Node[] = [];
    if (body.stop === 'else') {
      const et = body.elseTokens ?? [];
      const chained = et[0]?.t === 'ident' && (et[0].v === 'if' || et[0].v === 'with') ? et[0].v : undefined;
      if (chained) {
        // `{{else if x}}` is an if nested in the else branch that shares the outer {{end}}.
        elseNodes = [control(chained, et.slice(1))];
      } else {
        const rest = list(false);
        if (rest.stop !== 'end') throw new TemplateError(`{{${kw}}} has two {{else}}`);
        elseNodes = rest.nodes;
      }
    }
    return { n: kw, pipe, then: body.nodes, else: elseNodes };
  };

  const root = list(true).nodes;
  return { root, defines };
}

export function pipeline(tokens: Token[]): Pipeline {
  let decl: string[] = [];
  let assign = false;
  const declAt = tokens.findIndex((t) => t.t === 'declare' || t.t === 'assign');
  if (declAt > 0 && tokens.slice(0, declAt).every((t) => t.t === 'var' || t.t === 'comma')) {
    decl = tokens.slice(0, declAt).flatMap((t) => (t.t === 'var' ? [t.v] : []));
    assign = tokens[declAt]?.t === 'assign';
    tokens = tokens.slice(declAt + 1);
  }
  const cmds: Operand[][] = [];
  let pos = 0;
  const operand = (): Operand => {
    const t = tokens[pos++] as Token;
    switch (t.t) {
      case 'field':
        return { o: 'field', fields: t.v };
      case 'var':
        return { o: 'var', name: t.v, fields: t.fields };
      case 'string':
      case 'number':
      case 'bool':
        return { o: 'lit', value: t.v };
      case 'nil':
        return { o: 'lit', value: null };
      case 'ident':
        return { o: 'func', name: t.v };
      case 'lparen': {
        let depth = 1;
        const start = pos;
        while (pos < tokens.length && depth > 0) {
          const k = tokens[pos++] as Token;
          if (k.t === 'lparen') depth++;
          if (k.t === 'rparen') depth--;
        }
        const close = tokens[pos - 1];
        if (depth !== 0 || close?.t !== 'rparen') throw new TemplateError('unclosed parenthesis');
        return { o: 'sub', pipe: pipeline(tokens.slice(start, pos - 1)), fields: close.fields };
      }
      default:
        throw new TemplateError(`unexpected ${t.t} in pipeline`);
    }
  };
  let cmd: Operand[] = [];
  while (pos < tokens.length) {
    if (tokens[pos]?.t === 'pipe') {
      if (!cmd.length) throw new TemplateError('missing command before |');
      cmds.push(cmd);
      cmd = [];
      pos++;
      continue;
    }
    cmd.push(operand());
  }
  if (!cmd.length) throw new TemplateError('empty pipeline');
  cmds.push(cmd);
  return { decl, assign, cmds };
}
