import type { AmRoute } from '../../../libs/config/sections/alerting.ts';
import { tryParseDuration as modelDurationMs } from '../../../libs/time/duration.ts';
import { amConfigMatchers } from './config-matchers.ts';
import { matchesAll, matcherString, type Matcher } from './matchers.ts';

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
  /** Named time intervals; not inherited by child routes (dispatch/route.go). */
  muteIntervals: string[];
  activeIntervals: string[];
  children: RouteNode[];
}

const DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3600_000 };

export function buildRoute(cfg: AmRoute, parent?: RouteNode): RouteNode {
  const types = ['=', '!=', '=~', '!~'];
  // labels.Matchers order: name, value, type; byte order as Go compares strings.
  const matchers = amConfigMatchers(cfg).sort((a, b) =>
    a.name !== b.name
      ? a.name < b.name
        ? -1
        : 1
      : a.value !== b.value
        ? a.value < b.value
          ? -1
          : 1
        : types.indexOf(a.type) - types.indexOf(b.type),
  );
  const groupBy = cfg.group_by ?? parent?.groupBy ?? [];
  const ms = (v: string | undefined, inherited: number) =>
    v === undefined ? inherited : (modelDurationMs(v) as number);
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
    muteIntervals: cfg.mute_time_intervals ?? [],
    activeIntervals: cfg.active_time_intervals ?? [],
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
