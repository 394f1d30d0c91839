import type { FederationConfig } from '../config/sections/federation.ts';
import type { EvalSemantics } from '../promql/eval/semantics.ts';
import type { ParseOptions } from '../promql/parse-options.ts';
import type { MemberInfo } from './member-info.ts';

/**
 * Which Prometheus's rules a query is answered with, from the members it touches (issue 16):
 * - `federation.promqlVersion: 2 | 3` says so for every member;
 * - `auto` takes each member's version (member-info.ts). Members of one major: that major. A mixed set
 *   (or a member whose version is unknown) is served with the newest major, and `mixed` is set: cluster-local
 *   queries are answered by each member under its own rules (with a warning), and what Pharos evaluates
 *   across clusters must not depend on the difference (mixed-fleet.ts rewrites or refuses).
 * Members that could not be asked are left out of the decision: partial response leaves them out of the answer.
 */
export interface FleetSemantics {
  parse: ParseOptions;
  eval: EvalSemantics;
  /** Major Pharos treats each member as; undefined when unknown (auto, version not reported). */
  majors: ReadonlyMap<string, 2 | 3 | undefined>;
  /** The members' versions as reported (for messages and buildinfo). */
  versions: ReadonlyMap<string, string>;
  lookbackMs: ReadonlyMap<string, number>;
  mixed: boolean;
  /** Prometheus version whose semantics are served, e.g. "3.16.0": the lowest member version of that major. */
  servedVersion: string;
}

export type SemanticsConfig = Pick<FederationConfig, 'promqlVersion' | 'experimentalFunctions'>;

const FALLBACK_VERSION = { 2: '2.42.0', 3: '3.16.0' } as const;

const bare = (v: string): string => v.replace(/^v/, '').replace(/[+-].*$/, '');

function compareVersions(a: string, b: string): number {
  const pa = bare(a).split('.').map(Number);
  const pb = bare(b).split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}

/**
 * The last semantics worked out per configuration and set of clusters. fleetSemantics is pure in the members'
 * infos, which MemberInfoCache replaces on a refresh and never changes, so the same info objects give the same
 * answer; it is asked two or three times per query and once per cache lookup of the query frontend (issue 21).
 * Bounded: the sets of clusters queries touch are few, and forgetting them all costs one computation each.
 */
const remembered = new WeakMap<
  SemanticsConfig,
  Map<string, { infos: (MemberInfo | undefined)[]; sem: FleetSemantics }>
>();
const MAX_REMEMBERED = 64;

export function fleetSemantics(
  infos: ReadonlyMap<string, MemberInfo>,
  clusters: readonly string[],
  cfg: SemanticsConfig,
): FleetSemantics {
  let bySet = remembered.get(cfg);
  if (!bySet) remembered.set(cfg, (bySet = new Map()));
  const key = clusters.join('\u0000');
  const now = clusters.map((c) => infos.get(c));
  const last = bySet.get(key);
  if (last && last.infos.every((info, i) => info === now[i])) return last.sem;
  const sem = semanticsOf(infos, clusters, cfg);
  if (bySet.size >= MAX_REMEMBERED) bySet.clear();
  bySet.set(key, { infos: now, sem });
  return sem;
}

function semanticsOf(
  infos: ReadonlyMap<string, MemberInfo>,
  clusters: readonly string[],
  cfg: SemanticsConfig,
): FleetSemantics {
  const answering = clusters.filter((c) => infos.get(c) && infos.get(c)?.error === undefined);
  const forced = cfg.promqlVersion === 'auto' ? undefined : cfg.promqlVersion;
  const majors = new Map<string, 2 | 3 | undefined>(clusters.map((c) => [c, forced ?? infos.get(c)?.major]));
  const known = answering.map((c) => majors.get(c)).filter((m): m is 2 | 3 => m !== undefined);
  const unknown = answering.some((c) => majors.get(c) === undefined);
  // With no version known at all, 2.42's rules (what Pharos served before it asked).
  const version: 2 | 3 = forced ?? (known.includes(3) ? 3 : 2);
  const mixed = forced === undefined && (new Set(known).size > 1 || unknown);
  const served = answering.filter((c) => majors.get(c) === version);
  const experimental =
    cfg.experimentalFunctions === 'auto'
      ? served.length > 0 && served.every((c) => infos.get(c)?.features.includes('promql-experimental-functions'))
      : cfg.experimentalFunctions;
  const fill =
    experimental &&
    (cfg.experimentalFunctions === true ||
      served.every((c) => infos.get(c)?.features.includes('promql-binop-fill-modifiers')));
  const intervals = new Set(served.map((c) => infos.get(c)?.evaluationIntervalMs as number));
  const versions = new Map(
    clusters.flatMap((c) => (infos.get(c)?.version ? [[c, infos.get(c)?.version as string]] : [])),
  );
  const servedVersions = served
    .map((c) => versions.get(c))
    .filter((v): v is string => !!v && /^\d/.test(bare(v)) && bare(v).startsWith(`${version}.`));
  return {
    parse: { version, experimental: version === 3 && experimental, fillModifiers: version === 3 && fill },
    // Members that disagree on evaluation_interval leave the default subquery step undefined (NaN): refused.
    eval: {
      version,
      subqueryStepMs: intervals.size === 0 ? 60_000 : intervals.size === 1 ? ([...intervals][0] as number) : NaN,
    },
    majors,
    versions,
    lookbackMs: new Map(clusters.map((c) => [c, infos.get(c)?.lookbackDeltaMs ?? 300_000])),
    mixed,
    servedVersion: servedVersions.length
      ? bare(servedVersions.sort(compareVersions)[0] as string)
      : FALLBACK_VERSION[version],
  };
}

/** "east: 2.42.0+ds; west, north: 3.16.0" for messages. */
export function describeMembers(s: FleetSemantics, clusters: readonly string[]): string {
  const groups = new Map<string, string[]>();
  for (const c of clusters) {
    const v = s.versions.get(c) || (s.majors.get(c) ? `${s.majors.get(c)}.x` : 'unknown version');
    groups.set(v, [...(groups.get(v) ?? []), c]);
  }
  return [...groups].map(([v, cs]) => `${cs.join(', ')}: Prometheus ${v}`).join('; ');
}
