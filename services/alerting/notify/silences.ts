import { randomUUID } from 'node:crypto';
import type { Scope } from '../../../libs/auth/principal.ts';
import { InputError, NotFoundError } from '../../../libs/errors/errors.ts';
import type { StateStore } from '../../../libs/store/state-store.ts';
import { matcher, matchesAll, storedMatcher, type Matcher, type MatchType } from './matchers.ts';

export const SILENCE_COLLECTION = 'alerting_silences';

/** Alertmanager's silence model (api/v2 openapi: silence, gettableSilence); times epoch ms inside Pharos. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
  /** The creator's scope when it was restricted (docs/security.md, Scoped objects); absent: global. */
  scope?: Scope | undefined;
}

export type SilenceState = 'active' | 'pending' | 'expired';

export const silenceState = (s: Silence, now: number): SilenceState =>
  now < s.startsAt ? 'pending' : now >= s.endsAt ? 'expired' : 'active';

const typeOf = (m: SilenceMatcher): MatchType =>
  m.isRegex ? (m.isEqual === false ? '!~' : '=~') : m.isEqual === false ? '!=' : '=';

/** Strict, for a silence being written: an invalid regex is refused. */
const toMatchers = (s: Silence): Matcher[] => s.matchers.map((m) => matcher(m.name, typeOf(m), m.value));

/**
 * For stored silences: one whose regex an older Pharos accepted and RE2 does not (a lookahead, a
 * backreference) mutes nothing rather than failing every notification flush.
 */
const storedMatchers = (s: Silence): Matcher[] => s.matchers.map((m) => storedMatcher(m.name, typeOf(m), m.value));

/**
 * Silences in the state store, so every instance (and the next leader) sees the same ones. Reads go through a
 * short cache because every notification flush asks.
 */
export class SilenceRepository {
  private cache: { at: number; items: { silence: Silence; matchers: Matcher[] }[] } | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly now: () => number = Date.now,
    private readonly cacheMs = 1000,
  ) {}

  async list(): Promise<Silence[]> {
    const out: Silence[] = [];
    let after: string | undefined;
    do {
      const page = await this.store.list<Silence>(SILENCE_COLLECTION, { limit: 1000, ...(after ? { after } : {}) });
      out.push(...page.items.map((i) => i.value));
      after = page.next ?? undefined;
    } while (after);
    return out.sort((a, b) => b.updatedAt - a.updatedAt);
  }

  async get(id: string): Promise<Silence> {
    const doc = await this.store.get<Silence>(SILENCE_COLLECTION, id);
    if (!doc) throw new NotFoundError(`silence ${id} not found`);
    return doc.value;
  }

  /** Creates, or updates the silence with `id` (an expired one is replaced by a new id, as Alertmanager does). */
  async upsert(input: Omit<Silence, 'id' | 'updatedAt'> & { id?: string | undefined }): Promise<Silence> {
    const now = this.now();
    validate(input, now);
    let id = input.id;
    if (id) {
      const existing = await this.store.get<Silence>(SILENCE_COLLECTION, id);
      if (!existing) throw new NotFoundError(`silence ${id} not found`);
      if (silenceState(existing.value, now) === 'expired') id = undefined;
    }
    const silence: Silence = { ...input, id: id ?? randomUUID(), updatedAt: now };
    await this.store.put(SILENCE_COLLECTION, { id: silence.id, value: silence });
    this.cache = undefined;
    return silence;
  }

  async expire(id: string): Promise<void> {
    const s = await this.get(id);
    const now = this.now();
    if (silenceState(s, now) === 'expired') throw new InputError(`silence ${id} is already expired`);
    const expired = { ...s, startsAt: Math.min(s.startsAt, now), endsAt: now, updatedAt: now };
    await this.store.put(SILENCE_COLLECTION, { id, value: expired });
    this.cache = undefined;
  }

  /** Ids of the active silences that mute these labels. */
  async mutedBy(labels: Readonly<Record<string, string>>): Promise<string[]> {
    const now = this.now();
    if (!this.cache || now - this.cache.at > this.cacheMs) {
      const all = await this.list();
      this.cache = { at: now, items: all.map((silence) => ({ silence, matchers: storedMatchers(silence) })) };
    }
    return this.cache.items
      .filter((i) => silenceState(i.silence, now) === 'active' && matchesAll(i.matchers, labels))
      .map((i) => i.silence.id);
  }
}

function validate(s: Omit<Silence, 'id' | 'updatedAt'>, now: number): void {
  const details: { path: string; message: string }[] = [];
  if (!s.matchers.length) details.push({ path: 'matchers', message: 'at least one matcher is required' });
  try {
    const ms = toMatchers(s as Silence);
    // Alertmanager refuses silences that would match every alert.
    if (ms.length && ms.every((m) => matchesAll([m], {})))
      details.push({ path: 'matchers', message: 'at least one matcher must not match the empty string' });
  } catch (err) {
    details.push({ path: 'matchers', message: (err as Error).message });
  }
  if (!(s.endsAt > s.startsAt)) details.push({ path: 'endsAt', message: 'endsAt must be after startsAt' });
  if (s.endsAt <= now) details.push({ path: 'endsAt', message: 'endsAt must be in the future' });
  if (!s.createdBy) details.push({ path: 'createdBy', message: 'createdBy is required' });
  if (details.length)
    throw new InputError(`invalid silence: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}
