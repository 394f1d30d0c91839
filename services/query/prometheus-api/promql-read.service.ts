import type { Scope } from '../../../libs/auth/principal.ts';
import type { FederatedQueryService, FederationBuildInfo } from '../../../libs/federation/federation.types.ts';
import { scopedFederation } from '../../../libs/tenancy/scoped-federation.ts';

/**
 * The entry of every PromQL read of the query service (the Prometheus API, /v1/metrics): it takes the caller's
 * `Scope`, never a request, and hands out the federation as that scope may see it (libs/tenancy/
 * scoped-federation.ts: every query and `match[]` scoped, every answer re-checked), so no route can reach the
 * unscoped engine for series data.
 */
export class PromqlReadService {
  constructor(private readonly opts: { federation: () => Promise<FederatedQueryService> }) {}

  /** The federation under `scope`: the one place the PromQL scope policy is applied. */
  async forScope(scope: Scope): Promise<FederatedQueryService> {
    return scopedFederation(await this.opts.federation(), scope);
  }

  /**
   * Metric metadata (type, help, unit per metric name) carries no series and no `cluster`/`namespace` label,
   * so there is nothing to scope: Prometheus's /api/v1/metadata has no `match[]` either.
   */
  async metadata(
    q: { metric?: string; limit?: number },
    signal: AbortSignal,
  ): Promise<{ data: Record<string, unknown>; warnings: string[] }> {
    const fed = await this.opts.federation();
    return fed.metadata ? fed.metadata(q, signal) : { data: {}, warnings: [] };
  }

  /** Build info, with the members' versions only for the clusters the scope can see. */
  async buildInfo(scope: Scope, signal: AbortSignal): Promise<FederationBuildInfo | undefined> {
    const fed = await this.opts.federation();
    const info = fed.buildInfo ? await fed.buildInfo(signal) : undefined;
    if (!info) return undefined;
    const visible = new Set((await this.forScope(scope)).clusters());
    return { ...info, members: Object.fromEntries(Object.entries(info.members).filter(([c]) => visible.has(c))) };
  }
}
