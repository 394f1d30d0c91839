import type { Scope } from '../../../libs/auth/principal.ts';
import { NotFoundError } from '../../../libs/errors/errors.ts';
import { silenceOwnerScope, silenceVisible } from '../../../libs/tenancy/alert-scope.ts';
import { matchesAll, parseMatchers } from '../notify/matchers.ts';
import { silenceState, type Silence, type SilenceMatcher, type SilenceRepository } from '../notify/silences.ts';

/** Alertmanager v2's postableSilence, times in epoch ms; with `id` it updates that silence. */
export interface SilenceInput {
  id?: string | undefined;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

export interface SilencesServiceOptions {
  repository: Pick<SilenceRepository, 'list' | 'get' | 'upsert' | 'expire'>;
  now?: () => number;
}

/** Alertmanager v2's gettableSilence. */
export function gettableSilence(s: Silence, now: number) {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: new Date(s.updatedAt).toISOString(),
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true })),
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

export type GettableSilence = ReturnType<typeof gettableSilence>;

/**
 * Silences as a caller sees and changes them (docs/security.md, Scoped objects; the policy is
 * libs/tenancy/alert-scope.ts): a silence outside the caller's scope is not found (404, not 403, so its existence
 * is not revealed), and a restricted caller may only silence alerts of its own scope.
 */
export class SilencesService {
  private readonly now: () => number;
  constructor(private readonly opts: SilencesServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Silences whose matchers all match the filter's labels, as Alertmanager's GET /silences?filter= does. */
  async list(scope: Scope, filter: readonly string[]): Promise<GettableSilence[]> {
    const wanted = parseMatchers([...filter]);
    const all = await this.opts.repository.list();
    const now = this.now();
    return all
      .filter(
        (s) =>
          silenceVisible(scope, s) &&
          wanted.every((w) => s.matchers.some((sm) => sm.name === w.name && matchesAll([w], { [w.name]: sm.value }))),
      )
      .map((s) => gettableSilence(s, now));
  }

  async get(scope: Scope, id: string): Promise<GettableSilence> {
    return gettableSilence(await this.visible(scope, id), this.now());
  }

  /**
   * Creates or updates a silence: it keeps a restricted creator's scope; updating needs the old one visible, and an
   * unrestricted caller's update keeps the old silence's scope.
   */
  async upsert(scope: Scope, input: SilenceInput): Promise<GettableSilence> {
    const owner = silenceOwnerScope(scope, input.matchers);
    const old = input.id ? await this.visible(scope, input.id) : undefined;
    const saved = await this.opts.repository.upsert({ ...input, scope: owner ?? old?.scope });
    return gettableSilence(saved, this.now());
  }

  async expire(scope: Scope, id: string): Promise<void> {
    await this.visible(scope, id);
    await this.opts.repository.expire(id);
  }

  private async visible(scope: Scope, id: string): Promise<Silence> {
    const s = await this.opts.repository.get(id);
    if (!silenceVisible(scope, s)) throw new NotFoundError(`silence ${s.id} not found`);
    return s;
  }
}
