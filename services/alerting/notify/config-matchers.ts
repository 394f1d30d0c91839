import { parseAmMatchers } from '../../../libs/config/sections/alertmanager/am-matchers.ts';
import { matcher, type Matcher } from './matchers.ts';

/**
 * Matchers of a route or inhibit rule from the config: legacy `match` / `match_re` maps plus `matchers` lines, each
 * line parsed as Alertmanager's default (fallback) parser does (classic syntax, or the UTF-8 syntax of 0.27+).
 * Builds them with matchers.ts's `matcher`, so matching itself stays in one place.
 */
export function amConfigMatchers(c: {
  matchers?: readonly string[] | undefined;
  match?: Record<string, string> | undefined;
  match_re?: Record<string, string> | undefined;
}): Matcher[] {
  return [
    ...Object.entries(c.match ?? {}).map(([k, v]) => matcher(k, '=', v)),
    ...Object.entries(c.match_re ?? {}).map(([k, v]) => matcher(k, '=~', v)),
    ...(c.matchers ?? []).flatMap((line) => parseAmMatchers(line).map((m) => matcher(m.name, m.type, m.value))),
  ];
}
