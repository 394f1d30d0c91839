import type { FederationConfig } from '../config/sections/federation.ts';
import { InputError } from '../errors/errors.ts';
import type { Expr } from '../promql/ast.ts';
import { resolveQueryTimes } from '../promql/durations.ts';
import { Annotations } from '../promql/eval/annotations.ts';
import { evalInstant, evalRange } from '../promql/eval/evaluator.ts';
import { gridsOf, type Grid } from '../promql/eval/subquery.ts';
import { TopKTieError } from '../promql/eval/aggregate-partials.ts';
import { HistogramPartialsError } from '../promql/histogram/float-histogram.ts';
import { ParseCache } from '../promql/parse-cache.ts';
import { planQuery, type Plan, type PlanOptions } from '../promql/planner.ts';
import { checkRangeResolution, checkSubqueryPoints } from '../promql/query-cost.ts';
import { typeOf } from '../promql/typecheck.ts';
import { fanOut } from './cluster-fanout.ts';
import { describeMembers, fleetSemantics, type FleetSemantics } from './fleet-semantics.ts';
import type {
  FederatedQueryService,
  FederatedResult,
  FederationBuildInfo,
  InstantQuery,
  RangeQuery,
} from './federation.types.ts';
import { leafCalls, topGrid, type Window } from './leaf-calls.ts';
import { mergeLeaves, type MergedLeaf } from './leaf-merge.ts';
import { CompactSteps } from './leaf-steps.ts';
import { MemberInfoCache, type MemberInfo } from './member-info.ts';
import { MetadataQueries } from './metadata-queries.ts';
import type { ClusterClient, ClusterConfig } from './prometheus.client.ts';

export interface FederatedQueryOptions {
  clusters: readonly ClusterConfig[];
  limits: FederationConfig;
  client: ClusterClient;
  /** The members' versions and features; by default asked through `client`. */
  members?: MemberInfoCache;
}

/** A PromQL query and the window (instant or range grid) it is asked over. */
interface QueryInWindow {
  query: string;
  w: Window;
}

/** A query to answer, with the request's choices: partial responses allowed, its own timeout. */
interface RunRequest extends QueryInWindow {
  q: { partialResponse?: boolean; timeoutMs?: number };
}

/**
 * Federated PromQL: parse, plan (cluster-local leaves), fan the leaves out, merge with a `cluster` label,
 * and evaluate the rest step by step, with the rules of the members' Prometheus version. Answers what one
 * Prometheus holding every cluster's series would, or refuses.
 */
export class FederatedQuery extends MetadataQueries implements FederatedQueryService {
  readonly members: MemberInfoCache;
  /** Parsed query texts: a dashboard asks the same ones on every load and refresh. */
  private readonly parsed = new ParseCache();

  constructor(opts: FederatedQueryOptions) {
    super(opts);
    this.members =
      opts.members ??
      new MemberInfoCache({ clusters: opts.clusters, client: opts.client, refreshMs: opts.limits.memberInfoRefreshMs });
  }

  async instant(q: InstantQuery, signal?: AbortSignal): Promise<FederatedResult> {
    if (!Number.isFinite(q.time)) throw new InputError('invalid parameter "time": not a number');
    return this.run({ query: q.query, w: { kind: 'instant', time: q.time }, q }, signal);
  }

  async range(q: RangeQuery, signal?: AbortSignal): Promise<FederatedResult> {
    return this.run({ query: q.query, w: rangeWindow(q, this.limits), q }, signal);
  }

  async checkRange(q: RangeQuery, signal?: AbortSignal): Promise<void> {
    const w = rangeWindow(q, this.limits);
    const { expr, plan, sem } = await this.plan({ query: q.query, w }, { pushDownSums: true }, signal);
    checkAnswerType(expr, w);
    checkSubqueryPoints(plan.root, topGrid(w), { limits: this.limits, sem: sem.eval });
  }

  /**
   * The query parsed, times resolved and planned with the rules of the members it touches. It is first parsed
   * with what is known of all members (a constant query asks none), then with the touched members' rules.
   */
  private async plan(
    { query, w }: QueryInWindow,
    opts: PlanOptions,
    signal?: AbortSignal,
  ): Promise<{ expr: Expr; plan: Plan; sem: FleetSemantics }> {
    const build = (s: FleetSemantics) => {
      const grid = topGrid(w);
      const expr = resolveQueryTimes(this.parsed.parse(query, s.parse), {
        startMs: grid.startMs,
        endMs: grid.queryEndMs ?? grid.endMs,
        stepMs: w.kind === 'range' ? grid.stepMs : 0,
      });
      return { expr, plan: planQuery(expr, this.clusterNames, { ...opts, mixedFleet: s.mixed }), sem: s };
    };
    let fleet: ReturnType<typeof build>;
    try {
      fleet = build(fleetSemantics(this.members.known(), this.clusterNames, this.limits));
    } catch (err) {
      // Refused under rules guessed before any member was asked: ask them all, then decide.
      if (!(err instanceof InputError) || this.clusterNames.every((c) => this.members.get(c))) throw err;
      fleet = build(
        fleetSemantics(await this.members.ensure(this.clusterNames, signal), this.clusterNames, this.limits),
      );
    }
    const touched = [...new Set(fleet.plan.leaves.flatMap((l) => l.clusters))];
    // A query of constants reads no member, but follows the fleet's version all the same.
    if (touched.length === 0)
      return build(
        fleetSemantics(await this.members.ensure(this.clusterNames, signal), this.clusterNames, this.limits),
      );
    const infos = await this.members.ensure(touched, signal);
    const sem = fleetSemantics(infos, touched, this.limits);
    const same =
      sem.mixed === fleet.sem.mixed &&
      sem.parse.version === fleet.sem.parse.version &&
      sem.parse.experimental === fleet.sem.parse.experimental &&
      sem.parse.fillModifiers === fleet.sem.parse.fillModifiers;
    return same ? { ...fleet, sem } : build(sem);
  }

  private async run(request: RunRequest, signal?: AbortSignal): Promise<FederatedResult> {
    let opts: PlanOptions | undefined = { pushDownSums: true, pushDownK: true };
    for (;;) {
      try {
        return await this.runPlanned(request, opts, signal);
      } catch (err) {
        opts = unpushed(err, opts);
        if (!opts) throw err;
      }
    }
  }

  private async runPlanned(request: RunRequest, opts: PlanOptions, signal?: AbortSignal): Promise<FederatedResult> {
    const { query, w, q } = request;
    const { expr, plan, sem } = await this.plan({ query, w }, opts, signal);
    checkAnswerType(expr, w);
    // What the leaves would cost the clusters is bounded before any is sent (issue 15).
    checkSubqueryPoints(plan.root, topGrid(w), { limits: this.limits, sem: sem.eval });
    const grids = gridsOf(plan.root, topGrid(w), sem.eval);
    const calls = leafCalls({ plan, window: w, grids, sem, cluster: (n) => this.cluster(n) });
    const asked = [...new Set(calls.map((c) => c.cluster.name))];
    const fan = await fanOut(this.client, calls, {
      partial: q.partialResponse ?? this.limits.partialResponse,
      timeoutMs: q.timeoutMs ?? this.limits.timeoutMs,
      ...(signal ? { signal } : {}),
      asked,
    });
    const merged = mergeLeaves(plan, { calls, answers: fan.answers, failed: fan.failed }, this.limits);
    const notes = new Annotations();
    const out = this.evaluate(plan, merged, { w, grids, sem, notes });
    // Pharos's own annotations, positioned in the query text, after the members' (positioned in the leaves').
    const own = notes.render(query);
    const perMember =
      sem.mixed && plan.passThrough
        ? Object.fromEntries(asked.map((c) => [c, sem.versions.get(c) ?? 'unknown']))
        : undefined;
    const warnings = [
      ...fan.warnings,
      ...own.warnings,
      ...(perMember
        ? [
            `members run different Prometheus versions (${describeMembers(sem, asked)}): each cluster's series follow its own version's PromQL`,
          ]
        : []),
    ];
    const infos = [...fan.infos, ...own.infos];
    return {
      ...out,
      warnings,
      ...(infos.length ? { infos } : {}),
      clusters: fan.statuses,
      semantics: { promql: sem.servedVersion, ...(perMember ? { perMember } : {}) },
    };
  }

  private evaluate(
    plan: Plan,
    merged: Map<number, MergedLeaf>,
    o: { w: Window; grids: Map<number, Grid>; sem: FleetSemantics; notes: Annotations },
  ): Pick<FederatedResult, 'resultType' | 'result'> {
    const { w, grids } = o;
    if (plan.passThrough) {
      const only = merged.get(plan.passThrough.id) as MergedLeaf;
      const resultType = w.kind === 'range' ? 'matrix' : (only.resultType as 'vector' | 'matrix');
      return { resultType, result: only.passed };
    }
    const leaves = new Map<number, CompactSteps>();
    for (const leaf of plan.leaves) {
      const grid =
        leaf.gridId === undefined ? (w.kind === 'instant' ? undefined : w.grid) : (grids.get(leaf.gridId) as Grid);
      leaves.set(leaf.id, new CompactSteps(merged.get(leaf.id)?.series ?? [], grid, grid ? grid.steps : 1));
    }
    const env = { leaves, grids, sem: o.sem.eval, notes: o.notes };
    if (w.kind === 'instant') return evalInstant(plan.root, env, Math.round(w.time * 1000));
    return evalRange(plan.root, env, w.grid);
  }

  /** The last buildinfo, kept while the members' infos (hence fleetSemantics's answer) stay the same objects. */
  private lastBuildInfo: { sem: FleetSemantics; info: FederationBuildInfo } | undefined;

  /**
   * Pharos's buildinfo: the semantics served over all members, and each member's version. The query frontend
   * asks it on every cache lookup (the members' versions are part of each key).
   */
  async buildInfo(signal?: AbortSignal): Promise<FederationBuildInfo> {
    const infos = await this.members.ensure(this.clusterNames, signal);
    const sem = fleetSemantics(infos, this.clusterNames, this.limits);
    if (this.lastBuildInfo?.sem === sem) return this.lastBuildInfo.info;
    const info = this.describeBuild(sem, infos);
    this.lastBuildInfo = { sem, info };
    return info;
  }

  private describeBuild(sem: FleetSemantics, infos: Map<string, MemberInfo>): FederationBuildInfo {
    const [major, minor] = sem.servedVersion.split('.');
    const semantics = sem.mixed
      ? `mixed fleet (${describeMembers(sem, this.clusterNames)}); combined results follow Prometheus ${sem.servedVersion} or are refused`
      : `Prometheus ${major}.${minor}.x-compatible`;
    const members = Object.fromEntries(
      this.clusterNames.map((c) => [
        c,
        infos.get(c)?.error ? { error: infos.get(c)?.error as string } : { version: infos.get(c)?.version ?? '' },
      ]),
    );
    return { version: sem.servedVersion, semantics, members };
  }
}

/**
 * The plan options for asking again when pushed partials cannot give the union's answer, or undefined: per-cluster
 * sums of native histograms cannot be added exactly (the order matters), so the series are asked for and added in
 * the union's order; a pushed topk/bottomk met a tie its candidates cannot break as the union does.
 */
function unpushed(err: unknown, opts: PlanOptions): PlanOptions | undefined {
  if (err instanceof HistogramPartialsError && opts.pushDownSums !== false) return { ...opts, pushDownSums: false };
  if (err instanceof TopKTieError && opts.pushDownK !== false) return { ...opts, pushDownK: false };
  return undefined;
}

/** A range query's window: the parameters checked as Prometheus checks them, and its step grid. */
function rangeWindow(q: RangeQuery, limits: FederationConfig): Window {
  if (![q.start, q.end, q.step].every(Number.isFinite))
    throw new InputError('invalid parameter: start, end and step must be numbers');
  if (q.end < q.start) throw new InputError('invalid parameter "end": end timestamp must not be before start time');
  if (q.step <= 0)
    throw new InputError(
      'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
  const startMs = Math.round(q.start * 1000);
  const stepMs = Math.round(q.step * 1000);
  const steps = Math.floor((Math.round(q.end * 1000) - startMs) / stepMs) + 1;
  checkRangeResolution(steps, limits);
  const grid = { startMs, endMs: startMs + (steps - 1) * stepMs, stepMs, steps, queryEndMs: Math.round(q.end * 1000) };
  return { kind: 'range', grid, start: q.start, end: q.end, step: q.step };
}

/** A range query answers scalars or instant vectors only (Prometheus's message). */
function checkAnswerType(expr: Expr, w: Window): void {
  const type = typeOf(expr);
  if (w.kind === 'range' && type !== 'scalar' && type !== 'vector')
    throw new InputError(
      `invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
    );
}
