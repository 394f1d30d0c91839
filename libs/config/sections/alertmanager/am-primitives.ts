import { z } from 'zod';
import { compileMatcherRegex, RegexError } from '../../../text/regex.ts';
import { parseGoDuration, tryParseDuration } from '../../../time/duration.ts';

/**
 * The value types of Alertmanager's configuration (config/config.go, config/common, prometheus/common/config),
 * checked as Alertmanager's YAML decoding (gopkg.in/yaml.v2, UnmarshalStrict) checks them, so that a file
 * Alertmanager refuses is refused here with the field path, and one it accepts is accepted.
 */

/** yaml.v2 stores any scalar into a string field as its text (`to: 123` is "123"). */
export const amString = z.union([z.string(), z.number().transform(String), z.boolean().transform(String)]);

/** A model.Duration field (group_wait, resolve_timeout, …), kept as its text. */
export const modelDuration = amString.refine((s) => tryParseDuration(s) !== undefined, {
  message: 'not a valid duration string (units y, w, d, h, m, s, ms in that order, e.g. 1h30m)',
});

/** A time.Duration field (the newer `timeout` options): a Go duration string, or an integer of nanoseconds. */
export const goDuration = z.union([
  z
    .string()
    .refine((s) => parseGoDuration(s) !== undefined, { message: 'not a valid Go duration (e.g. 10s, 1m30s, 1.5h)' }),
  z
    .number()
    .int()
    .transform((ns) => `${ns / 1e6}ms`),
]);

/** Parses a URL as Alertmanager's config.URL does: http or https, with a host. */
export function amUrlProblem(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `invalid URL "${redactForMessage(text)}"`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `unsupported scheme "${u.protocol.replace(/:$/, '')}" for URL`;
  if (!u.hostname) return 'missing host for URL';
  return undefined;
}

/** What an invalid secret URL looks like in an error message: never the path or query, which hold the token. */
function redactForMessage(text: string): string {
  return text.length > 12 ? `${text.slice(0, 12)}…` : text;
}

export const amUrl = z.string().superRefine((s, ctx) => {
  const problem = amUrlProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** config.SecretURL: a URL, or "<secret>" (what Alertmanager prints instead of one). */
export const amSecretUrl = z.string().superRefine((s, ctx) => {
  if (s === '<secret>') return;
  const problem = amUrlProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** model.LabelNameRE, the classic label name (Alertmanager 0.25). */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const amLabelName = z.string().regex(LABEL_NAME, 'invalid label name');

/** A regexp field: compiled anchored, as config.Regexp does, with RE2 in Go's syntax (libs/text/regex.ts). */
export function regexProblem(pattern: string): string | undefined {
  try {
    compileMatcherRegex(pattern);
    return undefined;
  } catch (err) {
    if (!(err instanceof RegexError)) throw err;
    return `invalid regular expression: ${err.reason}`;
  }
}

/** config.HostPort: "host:port" with a non-empty port (net.SplitHostPort), or empty. */
export const amHostPort = amString.superRefine((s, ctx) => {
  if (s === '') return;
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^:[\]]*)$/.exec(s);
  if (!m) ctx.addIssue({ code: 'custom', message: `address ${s}: missing port in address` });
  else if (!m[3]) ctx.addIssue({ code: 'custom', message: `address "${s}": port cannot be empty` });
});

/** An unsigned integer field (uint64 in Go). */
export const amUint = z.number().int().min(0, 'cannot unmarshal a negative number into an unsigned integer');

/** Reports a custom problem at a path below the current value. */
export function issue(ctx: z.RefinementCtx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** "at most one of a & b must be configured", Alertmanager's wording for exclusive fields. */
export function atMostOne(ctx: z.RefinementCtx, value: Record<string, unknown>, keys: string[]): void {
  const given = keys.filter((k) => value[k] !== undefined && value[k] !== '');
  if (given.length > 1) issue(ctx, [given[1] as string], `at most one of ${keys.join(' & ')} must be configured`);
}
