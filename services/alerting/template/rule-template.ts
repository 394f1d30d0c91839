import type { FunctionContext } from './functions.ts';
import { GoTemplate } from './template.ts';

/**
 * Rule label and annotation templates, expanded as Prometheus does (rules/alerting.go): the data is
 * `{ Labels, ExternalLabels, ExternalURL, Value }` and `$labels`, `$externalLabels`, `$externalURL`, `$value`
 * are predefined. An unsupported construct leaves the raw text and reports the error, never fails the rule.
 */
const cache = new Map<string, GoTemplate | Error>();
const CACHE_MAX = 20_000;

export function compile(text: string): GoTemplate | Error {
  let t = cache.get(text);
  if (t) return t;
  try {
    t = new GoTemplate(text);
  } catch (err) {
    t = err as Error;
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, t);
  return t;
}

export interface RuleTemplateData {
  labels: Record<string, string>;
  value: number;
  externalLabels?: Record<string, string>;
  externalUrl?: string;
}

export function expandRuleTemplate(
  text: string,
  data: RuleTemplateData,
  ctx: FunctionContext = {},
): { text: string; error?: string } {
  if (!text.includes('{{')) return { text };
  const t = compile(text);
  if (t instanceof Error) return { text, error: t.message };
  const externalLabels = data.externalLabels ?? {};
  const externalURL = data.externalUrl ?? '';
  try {
    const dot = { Labels: data.labels, ExternalLabels: externalLabels, ExternalURL: externalURL, Value: data.value };
    return {
      text: t.render(dot, {
        vars: { labels: data.labels, externalLabels, externalURL, value: data.value },
        functions: { ...ctx, externalUrl: externalURL },
      }),
    };
  } catch (err) {
    return { text, error: (err as Error).message };
  }
}

/** Parse check for rule validation, so a bad template is reported at load time with its field. */
export function templateError(text: string): string | undefined {
  if (!text.includes('{{')) return undefined;
  const t = compile(text);
  return t instanceof Error ? t.message : undefined;
}
