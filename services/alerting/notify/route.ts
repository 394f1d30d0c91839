import type { AmRoute } from '../../../libs/config/sections/alerting.ts';
import { tryParseDuration as parseDuration } from '../../../libs/promql/literals.ts';
import { configMatchers, matchesAll, matcherString, type Matcher } from './matchers.ts';

/**
 * Alertmanager's routing tree (dispatch/route.go): children inherit receiver, grouping and timings; an alert
 * goes to the first matching child (and further ones while `continue` is set), or stays at the parent.
 */
export interface RouteNode {
  key: string;
  receiver: string;
  matchers: Matcher[];
  groupBy: string[];
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  continue: boolean;
  children: RouteNode[];
}

const DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3600_000 };

export function buildRoute(cfg: AmRoute, parent?: RouteNode): RouteNode {
  const matchers = configMatchers(cfg).sort((a, b) => (a.name === b.name ? a.value.localeCompare(b.value) : a.name < b.name ? -1 : 1));
  const groupBy = cfg.group_by ?? parent?.groupBy ?? [];
  const ms = (v: string | undefined, inherited: number) => (v === undefined ? inherited : (parseDuration(v) as number));
  const node: RouteNode = {
    key: `${parent ? `${parent.key}/` : ''}{${matchers.map(matcherString).join(',')}}`,
    receiver: cfg.receiver ?? parent?.receiver ?? '',
    matchers,
    groupBy: groupBy.filter((g) => g !== '...'),
    groupByAll: groupBy.includes('...'),
    groupWaitMs: ms(cfg.group_wait, parent?.groupWaitMs ?? DEFAULTS.groupWaitMs),
    groupIntervalMs: ms(cfg.group_interval, parent?.groupIntervalMs ?? DEFAULTS.groupIntervalMs),
    repeatIntervalMs: ms(cfg.repeat_interval, parent?.repeatIntervalMs ?? DEFAULTS.repeatIntervalMs),
    continue: cfg.continue ?? false,
    children: [],
  };
  node.children = (cfg.routes ?? []).map((c) => buildRoute(c, node));
  return node;
}

export function matchRoutes(node: RouteNode, labels: Readonly<Record<string, string>>): RouteNode[] {
  if (!matchesAll(node.matchers, labels)) return [];
  const all: RouteNode[] = [];
  for (const child of node.children) {
    const found = matchRoutes(child, labels);
    all.push(...found);
    if (found.length && !child.continue) break;
  }
  return all.length ? all : [node];
}

/** The labels an alert is grouped by on this route. */
export function groupLabels(node: RouteNode, labels: Readonly<Record<string, string>>): Record<string, string> {
  if (node.groupByAll) return { ...labels };
  const out: Record<string, string> = {};
  for (const g of node.groupBy) if (labels[g] !== undefined && labels[g] !== '') out[g] = labels[g] as string;
  return out;
}

/** Alertmanager's group key: route key, colon, the group labels as a Prometheus label set string. */
export function groupKey(node: RouteNode, group: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(group)
    .sort()
    .map((k) => `${k}=${JSON.stringify(group[k])}`);
  return `${node.key}:{${pairs.join(', ')}}`;
}
