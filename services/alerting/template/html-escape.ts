import { formatValue } from './go-format.ts';

/**
 * The part of Go's html/template contextual escaping that notification templates meet (Alertmanager executes
 * email `html` and Telegram messages with parse_mode HTML through html/template): an action's output in HTML text
 * or in a quoted attribute is escaped with htmlEscaper (& < > " ' + and NUL); at the start of an href/src attribute
 * a URL is filtered (only http, https, mailto, or relative) and normalized (percent-encoding what a URL may not
 * contain) first. Script and style contexts are not modelled: their output is escaped as text.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  String(): string {
    return this.value;
  }
}

const HTML_ESCAPES: Record<string, string> = {
  '\0': '\uFFFD',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};

export const htmlEscape = (s: string): string => s.replace(/[\0"&'+<>]/g, (c) => HTML_ESCAPES[c] as string);

/** html/template's urlNormalizer: keep RFC 3986 reserved and unreserved characters and '%', encode the rest. */
function urlNormalize(s: string): string {
  let out = '';
  for (const ch of s) {
    if (/[A-Za-z0-9\-._~!#$&*+,/:;=?@[\]%'()]/.test(ch)) out += ch;
    else out += [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

const URL_ATTR = /<[a-zA-Z][^<>]*\s(?:href|src|action|cite|formaction|poster)\s*=\s*(["']?)([^"'<>]*)$/i;

/** Escapes `value` for the context that the text written so far (`before`) leaves it in. */
export function escapeForContext(before: string, value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  const text = formatValue(value);
  const url = URL_ATTR.exec(before.slice(-2000));
  if (!url) return htmlEscape(text);
  const atStart = (url[2] as string) === '';
  if (atStart && /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(text) && !/^(https?|mailto):/i.test(text)) return '#ZgotmplZ';
  return htmlEscape(urlNormalize(text));
}
