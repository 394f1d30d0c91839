import { LimitError } from '../../../libs/errors/errors.ts';
import type { AlertRule, CompiledGroup } from '../rules/compile.ts';
import { applyResult, type ActiveAlert, type Transition } from './alert-state.ts';
import { queryRule, type RuleSources } from './rule-query.ts';

export const MAX_BACKTEST_EVALUATIONS = 100_000;

export interface Episode {
  fingerprint: string;
  labels: Record<string, string>;
  pendingAt: number;
  firingAt?: number;
  resolvedAt?: number;
}

export interface BacktestResult {
  group: string;
  start: number;
  end: number;
  stepMs: number;
  evaluations: number;
  rules: {
    alert: string;
    transitions: Transition[];
    episodes: Episode[];
    errors: { time: number; error: string; clusters?: Record<string, string> }[];
  }[];
}

export interface BacktestOptions {
  sources: RuleSources;
  resolvedRetentionMs: number;
  externalUrl: string;
  signal: AbortSignal;
}

/**
 * Evaluates a group at every step of a past range with the same lifecycle code as the live engine, from an empty
 * state, without touching stored state or notifying. Times in epoch ms.
 */
export async function backtest(
  group: CompiledGroup,
  range: { start: number; end: number; stepMs?: number },
  opts: BacktestOptions,
): Promise<BacktestResult> {
  const stepMs = range.stepMs ?? group.intervalMs;
  const rules = group.rules.filter((r): r is AlertRule => r.type === 'alert');
  const steps = Math.floor((range.end - range.start) / stepMs) + 1;
  if (steps * rules.length > MAX_BACKTEST_EVALUATIONS) {
    throw new LimitError(
      `backtest would run ${steps * rules.length} rule evaluations (limit ${MAX_BACKTEST_EVALUATIONS}): shorten the range or raise the step`,
    );
  }
  const out: BacktestResult = {
    group: group.name,
    start: range.start,
    end: range.end,
    stepMs,
    evaluations: 0,
    rules: [],
  };
  for (const rule of rules) {
    let state: ActiveAlert[] = [];
    const result: BacktestResult['rules'][number] = { alert: rule.name, transitions: [], episodes: [], errors: [] };
    const open = new Map<string, Episode>();
    for (let t = range.start; t <= range.end; t += stepMs) {
      opts.signal.throwIfAborted();
      out.evaluations++;
      let res;
      try {
        res = await queryRule(rule, { nowMs: t, sources: opts.sources, signal: opts.signal });
      } catch (err) {
        result.errors.push({ time: t, error: (err as Error).message });
        continue;
      }
      if (res.failedClusters.size)
        result.errors.push({
          time: t,
          error: 'some clusters failed',
          clusters: Object.fromEntries(res.failedClusters),
        });
      const applied = applyResult(
        rule,
        { previous: state, samples: res.samples },
        {
          now: t,
          resolvedRetentionMs: opts.resolvedRetentionMs,
          externalUrl: opts.externalUrl,
          failedClusters: new Set(res.failedClusters.keys()),
        },
      );
      state = applied.alerts;
      for (const tr of applied.transitions) {
        result.transitions.push(tr);
        track(open, result.episodes, tr);
      }
    }
    out.rules.push(result);
  }
  return out;
}

function track(open: Map<string, Episode>, done: Episode[], tr: Transition): void {
  if (tr.to === 'pending') {
    const ep: Episode = { fingerprint: tr.fingerprint, labels: tr.labels, pendingAt: tr.time };
    open.set(tr.fingerprint, ep);
    done.push(ep);
    return;
  }
  const ep = open.get(tr.fingerprint);
  if (!ep) return;
  if (tr.to === 'firing') ep.firingAt = tr.time;
  if (tr.to === 'inactive') {
    ep.resolvedAt = tr.time;
    open.delete(tr.fingerprint);
  }
}
