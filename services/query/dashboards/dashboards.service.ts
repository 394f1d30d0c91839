import type { Principal } from '../../../libs/auth/principal.ts';
import { slugify, validateDashboard } from '../../../libs/dashboards/dashboard.parse.ts';
import type { Dashboard } from '../../../libs/dashboards/dashboard.schema.ts';
import { importDashboard } from '../../../libs/dashboards/import/importers.ts';
import type { ImportFormat, ImportNote } from '../../../libs/dashboards/import/import.types.ts';
import { parseTimeRange } from '../../../libs/dashboards/time-range.ts';
import { ConflictError, InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import type { BuiltinDashboard } from './builtin-dashboards.ts';
import type { DashboardRepository, DashboardVersion } from './dashboard.repository.ts';
import type { DashboardRenderer, RenderResult } from './render.service.ts';
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

  async list(signal?: AbortSignal): Promise<DashboardSummary[]> {
    const builtin = [...this.builtins.values()].map((b) => summary({ id: b.id, builtin: true, version: 0, updatedAt: null, dashboard: b.definition }));
    const stored = (await this.opts.repository.list(signal)).map((s) =>
      summary({ id: s.id, builtin: false, version: s.version, updatedAt: s.updatedAt, author: s.value.author, dashboard: s.value.definition }),
    );
    return [...builtin, ...stored.sort((a, b) => a.title.localeCompare(b.title))];
  }

  async get(id: string, signal?: AbortSignal): Promise<DashboardDoc> {
    const builtin = this.builtins.get(id);
    if (builtin) return { id, builtin: true, version: 0, updatedAt: null, dashboard: builtin.definition };
    const stored = await this.opts.repository.get(id, signal);
    if (!stored) throw new NotFoundError(`no dashboard "${id}"; GET /v1/dashboards lists them`);
    return { id, builtin: false, version: stored.version, updatedAt: stored.updatedAt, author: stored.value.author, dashboard: stored.value.definition };
  }

  async create(input: unknown, principal: Principal, signal?: AbortSignal): Promise<DashboardDoc> {
    const definition = validateDashboard(input);
    const id = definition.id ?? (await this.freeId(slugify(definition.title), signal));
    this.assertWritable(id, 'create');
    const saved = await this.opts.repository.create(id, { ...definition, id }, principal.name, signal);
    return this.get(saved.id, signal);
  }

  async update(id: string, input: unknown, principal: Principal, expectedVersion?: number, signal?: AbortSignal): Promise<DashboardDoc> {
    this.assertWritable(id, 'update');
    const definition = validateDashboard(input);
    if (definition.id !== undefined && definition.id !== id) throw new InputError(`the body's id "${definition.id}" differs from the URL's "${id}"`, [{ path: 'id', message: 'must match the URL' }]);
    await this.opts.repository.update(id, { ...definition, id }, principal.name, expectedVersion, signal);
    return this.get(id, signal);
  }

  async delete(id: string, signal?: AbortSignal): Promise<void> {
    this.assertWritable(id, 'delete');
    if (!(await this.opts.repository.delete(id, signal))) throw new NotFoundError(`no dashboard "${id}"`);
  }

  async versions(id: string, signal?: AbortSignal): Promise<DashboardVersion[]> {
    await this.get(id, signal);
    return this.opts.repository.versions(id, signal);
  }

  async version(id: string, version: number, signal?: AbortSignal): Promise<DashboardVersion> {
    const current = await this.get(id, signal);
    if (version === current.version) return { dashboardId: id, version, updatedAt: current.updatedAt ?? 0, author: current.author ?? '', definition: current.dashboard };
    const found = (await this.opts.repository.versions(id, signal)).find((v) => v.version === version);
    if (!found) throw new NotFoundError(`dashboard "${id}" has no version ${version}`);
    return found;
  }

  /**
   * Converts a Grafana or KubeSphere dashboard and, unless a dry run, stores it. An id already in use is
   * replaced with `overwrite`, otherwise the import gets the next free id (`<id>-2` …), as a copy.
   */
  async import(body: unknown, opts: { dryRun: boolean; overwrite: boolean }, principal: Principal, signal?: AbortSignal): Promise<ImportResult> {
    const outcome = importDashboard(body, 'import');
    if (opts.dryRun) return { format: outcome.format, dashboard: outcome.dashboard, unconverted: outcome.unconverted };
    const exists = !this.builtins.has(outcome.id) && (await this.opts.repository.get(outcome.id, signal)) !== undefined;
    const id = opts.overwrite && exists ? outcome.id : await this.freeId(outcome.id, signal);
    const definition = { ...outcome.dashboard, id };
    const saved = opts.overwrite && exists
      ? await this.opts.repository.update(id, definition, principal.name, undefined, signal)
      : await this.opts.repository.create(id, definition, principal.name, signal);
    return { format: outcome.format, id, version: saved.version, dashboard: definition, unconverted: outcome.unconverted };
  }

  async render(id: string, params: ViewParams, principal: Principal, signal?: AbortSignal): Promise<RenderResult> {
    const { dashboard } = await this.get(id, signal);
    const range = parseTimeRange(params.from ?? dashboard.time.from, params.to ?? dashboard.time.to);
    this.checkVariables(dashboard, params.vars);
    return this.opts.renderer.render(dashboard, {
      range,
      requested: params.vars,
      principalScope: principal.scope,
      maxDataPoints: params.maxDataPoints ?? this.opts.maxDataPoints,
      signal,
    });
  }

  async variables(id: string, params: ViewParams, principal: Principal, signal?: AbortSignal): Promise<VariableState[]> {
    const { dashboard } = await this.get(id, signal);
    const range = parseTimeRange(params.from ?? dashboard.time.from, params.to ?? dashboard.time.to);
    this.checkVariables(dashboard, params.vars);
    return this.opts.renderer.variables(dashboard, { range, requested: params.vars, principalScope: principal.scope, signal });
  }

  /** A `var-` parameter naming no variable is a typo worth reporting, not something to ignore. */
  private checkVariables(dashboard: Dashboard, vars: Record<string, string[]>): void {
    const known = new Set(dashboard.variables.map((v) => v.name));
    const unknown = Object.keys(vars).filter((n) => !known.has(n));
    if (unknown.length) {
      throw new InputError(`unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `var-${n}`).join(', ')}; this dashboard has ${[...known].join(', ') || 'none'}`,
        unknown.map((n) => ({ path: `querystring.var-${n}`, message: 'no such variable' })));
    }
  }

  private assertWritable(id: string, action: string): void {
    if (this.builtins.has(id)) throw new ConflictError(`dashboard "${id}" is built in and read-only; to ${action} a copy, POST it under another id`);
  }

  private async freeId(base: string, signal?: AbortSignal): Promise<string> {
    for (let n = 1; n < 1000; n++) {
      const id = n === 1 ? base : `${base.slice(0, 95)}-${n}`;
      if (!this.builtins.has(id) && !(await this.opts.repository.get(id, signal))) return id;
    }
    throw new ConflictError(`too many dashboards named like "${base}"; give an id`);
  }
}

function summary(doc: DashboardDoc): DashboardSummary {
  const { dashboard, ...rest } = doc;
  return { ...rest, title: dashboard.title, description: dashboard.description, tags: dashboard.tags };
}
