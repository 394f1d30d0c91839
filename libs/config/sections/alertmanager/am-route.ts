import { z } from 'zod';
import { parseAmMatchers } from './am-matchers.ts';
import { tryParseDuration } from '../../../time/duration.ts';
import { amString, issue, LABEL_NAME, modelDuration, regexProblem } from './am-primitives.ts';

/**
 * The routing tree and inhibition rules (config/config.go Route, config/common InhibitRule), with their
 * UnmarshalYAML checks. Label names in `group_by` and `equal` follow Alertmanager's default (UTF-8) validation:
 * any non-empty name; `match`/`match_re` keys are classic label names.
 */
export interface AmRoute {
  receiver?: string | undefined;
  group_by?: string[] | undefined;
  continue?: boolean | undefined;
  matchers?: string[] | undefined;
  match?: Record<string, string> | undefined;
  match_re?: Record<string, string> | undefined;
  group_wait?: string | undefined;
  group_interval?: string | undefined;
  repeat_interval?: string | undefined;
  mute_time_intervals?: string[] | undefined;
  active_time_intervals?: string[] | undefined;
  /** Alertmanager 0.32+: labels added to the route's alerts; accepted, not acted on. */
  labels?: Record<string, string> | undefined;
  routes?: AmRoute[] | undefined;
}

const stringMap = z.record(z.string(), amString);

/** `match`: classic label names. */
export const matchMap = stringMap.superRefine((m, ctx) => {
  for (const k of Object.keys(m)) if (!LABEL_NAME.test(k)) issue(ctx, [k], `invalid label name "${k}"`);
});

/** `match_re`: classic label names, valid regular expressions. */
export const matchReMap = stringMap.superRefine((m, ctx) => {
  for (const [k, v] of Object.entries(m)) {
    if (!LABEL_NAME.test(k)) issue(ctx, [k], `invalid label name "${k}"`);
    const problem = regexProblem(v);
    if (problem) issue(ctx, [k], problem);
  }
});

/** Matcher lines, each parsed as Alertmanager does (either parser, see am-matchers.ts). */
export const matcherLines = z.array(amString).superRefine((lines, ctx) => {
  lines.forEach((line, i) => {
    try {
      parseAmMatchers(line);
    } catch (err) {
      issue(ctx, [i], (err as Error).message);
    }
  });
});

const nonEmptyLabel = (where: string) =>
  z.array(amString).superRefine((names, ctx) => {
    names.forEach((n, i) => {
      if (n === '') issue(ctx, [i], `invalid label name "" in ${where}`);
    });
  });

export const routeSchema: z.ZodType<AmRoute> = z.lazy(() =>
  z
    .object({
      receiver: amString.optional(),
      group_by: nonEmptyLabel('group_by list').optional(),
      continue: z.boolean().optional(),
      matchers: matcherLines.optional(),
      match: matchMap.optional(),
      match_re: matchReMap.optional(),
      group_wait: modelDuration.optional(),
      group_interval: modelDuration.optional(),
      repeat_interval: modelDuration.optional(),
      mute_time_intervals: z.array(amString).optional(),
      active_time_intervals: z.array(amString).optional(),
      labels: stringMap.optional(),
      routes: z.array(routeSchema).optional(),
    })
    .strict()
    .superRefine((r, ctx) => {
      const groupBy = r.group_by ?? [];
      if (groupBy.includes('...') && groupBy.some((g) => g !== '...'))
        issue(ctx, ['group_by'], 'cannot have wildcard group_by (`...`) and other labels at the same time');
      const seen = new Set<string>();
      for (const g of groupBy) {
        if (g !== '...' && seen.has(g)) issue(ctx, ['group_by'], `duplicated label "${g}" in group_by`);
        seen.add(g);
      }
      if (r.group_interval !== undefined && tryParseDuration(r.group_interval) === 0)
        issue(ctx, ['group_interval'], 'group_interval cannot be zero');
      if (r.repeat_interval !== undefined && tryParseDuration(r.repeat_interval) === 0)
        issue(ctx, ['repeat_interval'], 'repeat_interval cannot be zero');
    }),
);

export const inhibitRuleSchema = z
  .object({
    source_matchers: matcherLines.optional(),
    target_matchers: matcherLines.optional(),
    source_match: matchMap.optional(),
    source_match_re: matchReMap.optional(),
    target_match: matchMap.optional(),
    target_match_re: matchReMap.optional(),
    equal: nonEmptyLabel('equal').optional(),
    /** Alertmanager 0.30+: a name for the rule, shown in logs and metrics. */
    name: amString.optional(),
  })
  .strict();

export type InhibitRuleConfig = z.infer<typeof inhibitRuleSchema>;
