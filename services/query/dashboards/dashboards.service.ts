import type { Principal } from '../../../libs/auth/principal.ts';
import { slugify, validateDashboard } from '../../../libs/dashboards/dashboard.parse.ts';
import type { Dashboard } from '../../../libs/dashboards/dashboard.schema.ts';
import { importDashboard } from '../../../libs/dashboards/import/importers.ts';
import type { ImportFormat, ImportNote } from '../../../libs/dashboards/import/import.types.ts';
import { parseTimeRange } from '../../../libs/dashboards/time-range.ts';
import { ConflictError, ForbiddenError, InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import { definitionVisible, ownerScope, scopeWithin } from '../../../libs/tenancy/object-scope.ts';
import type { BuiltinDashboard } from './builtin-dashboards.ts';
import type { DashboardRepository, DashboardVersion, StoredDashboard } from './dashboard.repository.ts';
import type { CacheControl } from '../../../libs/federation/frontend/frontend.types.ts';
import type { DashboardRenderer, RenderRequest, RenderResult } from './render.service.ts';
import type { VariableState } from './variable-resolver.ts';

export interface DashboardDoc {
  id: string;
  builtin: boolean;
  /** 0 for built-ins; user dashboards start at 1 and count every update. */
  version: number;
  updatedAt: number | null;
  author?: string | undefined;
  dashboard: Dashboard;
}

export type DashboardSummary = Omit<DashboardDoc, 'dashboard'> & Pick<Dashboard, 'title' | 'description' | 'tags'>;

export interface ImportResult {
  format: ImportFormat;
  /** Absent on a dry run. */
  id?: string;
  version?: number;
  dashboard: Dashboard;
  unconverted: ImportNote[];
}

export interface ViewParams {
  from?: string | undefined;
  to?: string | undefined;
  /** `var-<name>` values. */
  vars: Record<string, string[]>;
  maxDataPoints?: number | undefined;
}

/** One dashboard (`id`) as a viewer asks for it. */
export interface ViewRequest extends ViewParams {
  id: string;
}

export interface DashboardsServiceOptions {
  builtins: readonly BuiltinDashboard[];
  repository: DashboardRepository;
  renderer: DashboardRenderer;
  /** Default for maxDataPoints: points per series in a rendered range query. */
  maxDataPoints: number;
}

/**
 * Dashboards: read-only built-ins from files, user dashboards in the state store with their history,
 * import from Grafana and KubeSphere, and rendering. Knows nothing of HTTP.
 */
export class DashboardsService {
  private readonly builtins: ReadonlyMap<string, BuiltinDashboard>;

  constructor(private readonly opts: DashboardsServiceOptions) {
    this.builtins = new Map(opts.builtins.map((b) => [b.id, b]));
  }

  async list(principal: Principal, signal?: AbortSignal): Promise<DashboardSummary[]> {
    const builtin = [...this.builtins.values()].map((b) =>
      summary({ id: b.id, builtin: true, version: 0, updatedAt: null, dashboard: b.definition }),
    );
    const stored = (await this.opts.repository.list(signal))
      .filter((s) => visibleTo(s.value, principal))
      .map((s) =>
        summary({
          id: s.id,
          builtin: false,
          version: s.version,
          updatedAt: s.updatedAt,
          author: s.value.author,
          dashboard: s.value.definition,
        }),
      );
    return [...builtin, ...stored.sort((a, b) => a.title.localeCompare(b.title))];
  }

  /** A dashboard the principal may see; one outside its scope answers 404, as if absent. */
  async get(id: string, principal: Principal, signal?: AbortSignal): Promise<DashboardDoc> {
    const builtin = this.builtins.get(id);
    if (builtin) return { id, builtin: true, version: 0, updatedAt: null, dashboard: builtin.definition };
    const stored = await this.opts.repository.get(id, signal);
    if (!stored || !visibleTo(stored.value, principal))
      throw new NotFoundError(`no dashboard "${id}"; GET /v1/dashboards lists them`);
    return {
      id,
      builtin: false,
      version: stored.version,
      updatedAt: stored.updatedAt,
      author: stored.value.author,
      dashboard: stored.value.definition,
    };
  }

  async create(input: unknown, principal: Principal, signal?: AbortSignal): Promise<DashboardDoc> {
    const definition = validateDashboard(input);
    const id = definition.id ?? (await this.freeId(slugify(definition.title), signal));
    this.assertWritable(id, 'create');
    const saved = await this.opts.repository.create(
      { id, definition: { ...definition, id }, author: principal.name, scope: ownerScope(principal) },
      signal,
    );
    return this.get(saved.id, principal, signal);
  }

  /** Replaces dashboard `id` with `input`; `expectedVersion` (If-Match) guards concurrent edits. */
  async update(
    { id, input, expectedVersion }: { id: string; input: unknown; expectedVersion?: number | undefined },
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<DashboardDoc> {
    this.assertWritable(id, 'update');
    await this.assertEditable(id, principal, signal);
    const definition = validateDashboard(input);
    if (definition.id !== undefined && definition.id !== id)
      throw new InputError(`the body's id "${definition.id}" differs from the URL's "${id}"`, [
        { path: 'id', message: 'must match the URL' },
      ]);
    await this.opts.repository.update(
      { id, definition: { ...definition, id }, author: principal.name, expectedVersion },
      signal,
    );
    return this.get(id, principal, signal);
  }

  async delete(id: string, principal: Principal, signal?: AbortSignal): Promise<void> {
    this.assertWritable(id, 'delete');
    await this.assertEditable(id, principal, signal);
    if (!(await this.opts.repository.delete(id, signal))) throw new NotFoundError(`no dashboard "${id}"`);
  }

  async versions(id: string, principal: Principal, signal?: AbortSignal): Promise<DashboardVersion[]> {
    await this.get(id, principal, signal);
    return this.opts.repository.versions(id, signal);
  }

  async version(
    { id, version }: { id: string; version: number },
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<DashboardVersion> {
    const current = await this.get(id, principal, signal);
    if (version === current.version)
      return {
        dashboardId: id,
        version,
        updatedAt: current.updatedAt ?? 0,
        author: current.author ?? '',
        definition: current.dashboard,
      };
    const found = (await this.opts.repository.versions(id, signal)).find((v) => v.version === version);
    if (!found) throw new NotFoundError(`dashboard "${id}" has no version ${version}`);
    return found;
  }

  /**
   * Converts a Grafana or KubeSphere dashboard and, unless a dry run, stores it. An id already in use is
   * replaced with `overwrite`, otherwise the import gets the next free id (`<id>-2` …), as a copy.
   */
  async import(
    { body, ...opts }: { body: unknown; dryRun: boolean; overwrite: boolean },
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<ImportResult> {
    const outcome = importDashboard(body, 'import');
    if (opts.dryRun) return { format: outcome.format, dashboard: outcome.dashboard, unconverted: outcome.unconverted };
    const exists = !this.builtins.has(outcome.id) && (await this.opts.repository.get(outcome.id, signal)) !== undefined;
    if (opts.overwrite && exists) await this.assertEditable(outcome.id, principal, signal);
    const id = opts.overwrite && exists ? outcome.id : await this.freeId(outcome.id, signal);
    const definition = { ...outcome.dashboard, id };
    const saved =
      opts.overwrite && exists
        ? await this.opts.repository.update({ id, definition, author: principal.name }, signal)
        : await this.opts.repository.create(
            { id, definition, author: principal.name, scope: ownerScope(principal) },
            signal,
          );
    return {
      format: outcome.format,
      id,
      version: saved.version,
      dashboard: definition,
      unconverted: outcome.unconverted,
    };
  }

  /** `request`: the dashboard's id and the view's parameters (time range, variables, data points). */
  async render(request: ViewRequest, principal: Principal, signal?: AbortSignal): Promise<RenderResult> {
    const { dashboard, req } = await this.renderRequest(request, principal, signal);
    return this.opts.renderer.render(dashboard, req);
  }

  /**
   * The render as JSON bytes (what /v1/dashboards/:id/render answers), with panels from and into the panel cache
   * (panel-cache.ts) unless `cacheControl` says otherwise.
   */
  async renderJson(
    request: ViewRequest & { cacheControl?: CacheControl | undefined },
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const { dashboard, req } = await this.renderRequest(request, principal, signal);
    return this.opts.renderer.renderJson(dashboard, { ...req, cacheControl: request.cacheControl });
  }

  private async renderRequest(
    request: ViewRequest,
    principal: Principal,
    signal?: AbortSignal,
  ): Promise<{ dashboard: Dashboard; req: RenderRequest }> {
    const { id, ...params } = request;
    const { dashboard } = await this.get(id, principal, signal);
    const range = parseTimeRange(params.from ?? dashboard.time.from, params.to ?? dashboard.time.to);
    this.checkVariables(dashboard, params.vars);
    return {
      dashboard,
      req: {
        range,
        requested: params.vars,
        principalScope: principal.scope,
        maxDataPoints: params.maxDataPoints ?? this.opts.maxDataPoints,
        signal,
      },
    };
  }

  async variables(request: ViewRequest, principal: Principal, signal?: AbortSignal): Promise<VariableState[]> {
    const { id, ...params } = request;
    const { dashboard } = await this.get(id, principal, signal);
    const range = parseTimeRange(params.from ?? dashboard.time.from, params.to ?? dashboard.time.to);
    this.checkVariables(dashboard, params.vars);
    return this.opts.renderer.variables(dashboard, {
      range,
      requested: params.vars,
      principalScope: principal.scope,
      signal,
    });
  }

  /** A `var-` parameter naming no variable is a typo worth reporting, not something to ignore. */
  private checkVariables(dashboard: Dashboard, vars: Record<string, string[]>): void {
    const known = new Set(dashboard.variables.map((v) => v.name));
    const unknown = Object.keys(vars).filter((n) => !known.has(n));
    if (unknown.length) {
      throw new InputError(
        `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `var-${n}`).join(', ')}; this dashboard has ${[...known].join(', ') || 'none'}`,
        unknown.map((n) => ({ path: `querystring.var-${n}`, message: 'no such variable' })),
      );
    }
  }

  private assertWritable(id: string, action: string): void {
    if (this.builtins.has(id))
      throw new ConflictError(
        `dashboard "${id}" is built in and read-only; to ${action} a copy, POST it under another id`,
      );
  }

  /**
   * A restricted editor changes only dashboards made within its scope; global ones (made by unrestricted
   * tokens) it may see but not change. Unknown or invisible ones are 404.
   */
  private async assertEditable(id: string, principal: Principal, signal?: AbortSignal): Promise<void> {
    const stored = await this.opts.repository.get(id, signal);
    if (!stored || !visibleTo(stored.value, principal)) throw new NotFoundError(`no dashboard "${id}"`);
    if (!scopeWithin(stored.value.scope, principal.scope))
      throw new ForbiddenError(
        `dashboard "${id}" is global; only a token not restricted to some clusters or namespaces may change it`,
      );
  }

  private async freeId(base: string, signal?: AbortSignal): Promise<string> {
    for (let n = 1; n < 1000; n++) {
      const id = n === 1 ? base : `${base.slice(0, 95)}-${n}`;
      if (!this.builtins.has(id) && !(await this.opts.repository.get(id, signal))) return id;
    }
    throw new ConflictError(`too many dashboards named like "${base}"; give an id`);
  }
}

/** Global user dashboards are visible to everyone; scoped ones to callers whose scope contains theirs. */
function visibleTo(stored: StoredDashboard, principal: Principal): boolean {
  return definitionVisible(stored.scope, principal.scope);
}

function summary(doc: DashboardDoc): DashboardSummary {
  const { dashboard, ...rest } = doc;
  return { ...rest, title: dashboard.title, description: dashboard.description, tags: dashboard.tags };
}
