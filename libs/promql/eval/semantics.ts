/**
 * The rules Pharos evaluates with above the merged cluster answers: those of the members' Prometheus
 * version (see libs/federation/fleet-semantics.ts for how it is chosen).
 */
export interface EvalSemantics {
  version: 2 | 3;
  /** Step of a subquery written without one (`[5m:]`): the members' global evaluation_interval. */
  subqueryStepMs: number;
}

/** Prometheus's defaults: evaluation_interval 1m. */
export const EVAL_2_42: EvalSemantics = Object.freeze({ version: 2, subqueryStepMs: 60_000 });
export const EVAL_3: EvalSemantics = Object.freeze({ version: 3, subqueryStepMs: 60_000 });
