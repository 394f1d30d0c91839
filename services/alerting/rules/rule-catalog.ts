import { ConflictError, InputError, NotFoundError, zodDetails } from '../../../libs/errors/errors.ts';
import type { StateStore } from '../../../libs/store/state-store.ts';
import { compileGroup, groupId, type CompiledGroup, type RuleCompileOptions } from './compile.ts';
import { loadRuleFiles, type FileProblem } from './rule-files.ts';
import { ruleGroupSchema, type RuleGroupSpec } from './rule.schema.ts';

export const RULE_GROUP_COLLECTION = 'alerting_rule_groups';

export interface GroupView {
  id: string;
  source: CompiledGroup['source'];
  version?: number;
  group: RuleGroupSpec;
  /** Set on a stored group that no longer compiles (see `refresh`): it is not evaluated. */
  problem?: string;
}

/** A stored group: compiled, or the reason it no longer compiles. */
type ApiGroup =
  | { version: number; spec: RuleGroupSpec; compiled: CompiledGroup; problem?: undefined }
  | { version: number; spec: RuleGroupSpec; compiled?: undefined; problem: string };

/**
 * Every rule group: from files (read-only here; edit the file) and from the API (kept in the state store, so
 * every instance and the next leader share them). `refresh` picks up edits made through another instance.
 */
export class RuleCatalog {
  private fileGroups: CompiledGroup[] = [];
  private problems: FileProblem[] = [];
  private apiGroups = new Map<string, ApiGroup>();

  constructor(
    private readonly store: StateStore,
    private readonly opts: RuleCompileOptions & { ruleFiles: readonly string[]; cwd?: string },
  ) {}

  loadFiles(): FileProblem[] {
    const { groups, problems } = loadRuleFiles(this.opts.ruleFiles, this.opts, this.opts.cwd);
    this.fileGroups = groups;
    this.problems = problems;
    return problems;
  }

  fileProblems(): FileProblem[] {
    return this.problems;
  }

  /**
   * Reloads the stored groups. One that no longer compiles (a regex an older Pharos accepted and RE2 refuses,
   * an expression over a limit lowered since) is kept with its problem and not evaluated, never failing the
   * others or the engine's start.
   */
  async refresh(signal?: AbortSignal): Promise<void> {
    const next = new Map<string, ApiGroup>();
    let after: string | undefined;
    do {
      const page = await this.store.list<RuleGroupSpec>(
        RULE_GROUP_COLLECTION,
        { limit: 1000, ...(after ? { after } : {}) },
        signal,
      );
      for (const item of page.items) {
        const known = this.apiGroups.get(item.id);
        next.set(
          item.id,
          known && known.version === item.version ? known : this.compileStored(item.value, item.version),
        );
      }
      after = page.next ?? undefined;
    } while (after);
    this.apiGroups = next;
  }

  private compileStored(spec: RuleGroupSpec, version: number): ApiGroup {
    try {
      return { version, spec, compiled: compileGroup(spec, { type: 'api' }, this.opts) };
    } catch (err) {
      return { version, spec, problem: (err as Error).message };
    }
  }

  /** Stored groups that are not evaluated, with why. */
  storedProblems(): { name: string; message: string }[] {
    return [...this.apiGroups.values()].flatMap((g) => (g.problem ? [{ name: g.spec.name, message: g.problem }] : []));
  }

  groups(): CompiledGroup[] {
    return [...this.fileGroups, ...[...this.apiGroups.values()].flatMap((g) => (g.compiled ? [g.compiled] : []))];
  }

  views(): GroupView[] {
    return [
      ...this.fileGroups.map((g) => ({ id: g.id, source: g.source, group: g.spec })),
      ...[...this.apiGroups.values()].map((g) => ({
        id: groupId({ type: 'api' }, g.spec.name),
        source: { type: 'api' as const },
        version: g.version,
        group: g.spec,
        ...(g.problem ? { problem: g.problem } : {}),
      })),
    ];
  }

  view(id: string): GroupView {
    const found = this.views().find((v) => v.id === id || (v.source.type === 'api' && v.group.name === id));
    if (!found) throw new NotFoundError(`rule group "${id}" not found`);
    return found;
  }

  /** Validates a group as the API receives it; throws InputError whose details point at the field. */
  validate(input: unknown): CompiledGroup {
    const parsed = ruleGroupSchema.safeParse(input);
    if (!parsed.success) {
      const details = zodDetails(parsed.error.issues);
      throw new InputError(`invalid rule group: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
    }
    return compileGroup(parsed.data, { type: 'api' }, this.opts);
  }

  async create(input: unknown): Promise<GroupView> {
    const compiled = this.validate(input);
    const saved = await this.store
      .put(RULE_GROUP_COLLECTION, { id: compiled.name, value: compiled.spec, expectedVersion: 0 })
      .catch((err: unknown) => {
        throw err instanceof ConflictError
          ? new ConflictError(`rule group "${compiled.name}" already exists: use PUT to change it`)
          : err;
      });
    this.apiGroups.set(compiled.name, { version: saved.version, spec: compiled.spec, compiled });
    return { id: compiled.id, source: compiled.source, version: saved.version, group: compiled.spec };
  }

  async update(
    name: string,
    input: unknown,
    expectedVersion?: number,
  ): Promise<{ view: GroupView; replaced: CompiledGroup | undefined }> {
    this.refuseFileGroup(name);
    const compiled = this.validate(input);
    if (compiled.name !== name)
      throw new InputError(`the body names group "${compiled.name}" but the URL names "${name}"`, [
        { path: 'name', message: 'must match the URL' },
      ]);
    const existing = await this.store.get<RuleGroupSpec>(RULE_GROUP_COLLECTION, name);
    if (!existing) throw this.missing(name);
    const saved = await this.store.put(RULE_GROUP_COLLECTION, {
      id: name,
      value: compiled.spec,
      expectedVersion: expectedVersion ?? existing.version,
    });
    const replaced = this.apiGroups.get(name)?.compiled;
    this.apiGroups.set(name, { version: saved.version, spec: compiled.spec, compiled });
    return {
      view: { id: compiled.id, source: compiled.source, version: saved.version, group: compiled.spec },
      replaced,
    };
  }

  async remove(name: string): Promise<CompiledGroup | undefined> {
    this.refuseFileGroup(name);
    const gone = await this.store.delete(RULE_GROUP_COLLECTION, name);
    if (!gone) throw this.missing(name);
    const removed = this.apiGroups.get(name)?.compiled;
    this.apiGroups.delete(name);
    return removed;
  }

  /** Not an API group: a file group of that name is a conflict (edit the file), otherwise not found. */
  private missing(name: string): Error {
    const file = this.fileGroups.find((g) => g.name === name);
    if (file?.source.type === 'file')
      return new ConflictError(`rule group "${name}" comes from ${file.source.file}: edit the file`);
    return new NotFoundError(`rule group "${name}" not found`);
  }

  private refuseFileGroup(name: string): void {
    const file = this.fileGroups.find((g) => g.id === name);
    if (file && file.source.type === 'file')
      throw new ConflictError(`rule group "${file.name}" comes from ${file.source.file}: edit the file`);
  }
}

export { groupId };
