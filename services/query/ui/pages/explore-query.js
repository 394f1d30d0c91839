// Explore's state, read from the URL (the public contract /ui/explore/{kind}?q=&start=&end=&cluster=&namespace=…),
// and the Query API calls it makes. Every filter field of the kind is a URL parameter of the same name.
import { api, qs } from '/ui/lib/api.js';
import { FILTER_FIELDS } from '/ui/lib/fields.js';
import { apiTime, histogramInterval, resolveTime } from '/ui/lib/time.js';

/** Table columns per kind (stored field names); the drawer shows every field. */
export const COLUMNS = {
  logs: ['cluster', 'namespace', 'pod', 'container', 'message'],
  events: ['cluster', 'namespace', 'type', 'reason', 'object', 'message'],
  audit: ['cluster', 'user', 'verb', 'resource', 'namespace', 'name', 'code'],
};
/** Histogram split field by default: the field people read first (type of event, audit verb). */
const DEFAULT_SPLIT = { logs: '', events: 'type', audit: 'verb' };
/** Records "around" one: same pod (logs), same object (events), same user (audit), as filter names. */
export const CONTEXT_KEYS = {
  logs: ['cluster', 'namespace', 'pod', 'container'],
  events: ['cluster', 'namespace', 'kind', 'name'],
  audit: ['cluster', 'user'],
};

export function readExplore(route) {
  const kind = route.parts[1] ?? 'logs';
  const p = route.params;
  const filters = {};
  for (const name of Object.keys(FILTER_FIELDS[kind] ?? {})) {
    const values = p
      .getAll(name)
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);
    if (values.length) filters[name] = values;
  }
  return {
    kind,
    q: p.get('q') ?? '',
    start: p.get('start') ?? 'now-1h',
    end: p.get('end') ?? 'now',
    filters,
    split: p.has('split') ? p.get('split') : (DEFAULT_SPLIT[kind] ?? ''),
    record: p.get('record'),
    recordTime: p.get('rt') ? Number(p.get('rt')) : undefined,
    live: p.get('live') === '1',
  };
}

/** The stored field a filter name reads (events `kind` → objectKind, audit `group` → groups). */
export const storedField = (kind, name) => FILTER_FIELDS[kind]?.[name] ?? name;

/** Resolves relative times once per run, so every call of a view (and its paging) covers the same range. */
export function resolveRange(state, now = Date.now()) {
  return { startMs: resolveTime(state.start, now), endMs: resolveTime(state.end, now) };
}

function params(state, range, extra = {}) {
  return {
    ...Object.fromEntries(Object.entries(state.filters).map(([k, v]) => [k, v.join(',')])),
    q: state.q || undefined,
    start: apiTime(range.startMs),
    end: apiTime(range.endMs),
    ...extra,
  };
}

/** One page of the view (`state` over its resolved `range`), newest first, after `cursor`. */
export const searchPage = ({ state, range }, { cursor, size }, signal) =>
  api(`/v1/${state.kind}${qs(params(state, range, { size, cursor, sort: 'desc' }))}`, signal);

/** The top values of `field` in the view, counted without the view's own filter on that field. */
export function statsOf({ state, range }, { field, size }, signal) {
  const { [field]: _own, ...filters } = state.filters;
  return api(`/v1/${state.kind}/stats${qs(params({ ...state, filters }, range, { by: field, size }))}`, signal);
}

/**
 * Volume over time, split by a field: one histogram for everything, and one per top value of the split field
 * (the histogram API counts one filter set at a time). The rest is "other".
 */
export async function histogramOf(state, range, signal) {
  const interval = histogramInterval(range.endMs - range.startMs);
  const all = await api(`/v1/${state.kind}/histogram${qs(params(state, range, { interval: interval.name }))}`, signal);
  const split = state.split && !state.filters[state.split] ? state.split : '';
  if (!split || all.total === 0)
    return {
      interval,
      times: all.buckets.map((b) => b.time),
      series: [{ name: 'records', counts: all.buckets.map((b) => b.count) }],
      total: all.total,
    };
  const top = await api(`/v1/${state.kind}/stats${qs(params(state, range, { by: split, size: 5 }))}`, signal);
  const parts = await Promise.all(
    top.groups.map((g) =>
      api(
        `/v1/${state.kind}/histogram${qs(params({ ...state, filters: { ...state.filters, [split]: [g.key] } }, range, { interval: interval.name }))}`,
        signal,
      ),
    ),
  );
  const series = top.groups.map((g, i) => ({ name: g.key, counts: parts[i].buckets.map((b) => b.count) }));
  const other = all.buckets.map((b, i) => b.count - series.reduce((n, s) => n + (s.counts[i] ?? 0), 0));
  if (other.some((c) => c > 0)) series.push({ name: 'other', counts: other });
  return { interval, times: all.buckets.map((b) => b.time), series, total: all.total, split };
}

/** The records before and after one, from the same pod / object / user, newest last. */
export async function contextOf(kind, doc, signal) {
  const filters = {};
  for (const name of CONTEXT_KEYS[kind]) {
    const v = doc[storedField(kind, name)];
    if (v !== undefined && v !== null && v !== '') filters[name] = [String(v)];
  }
  const day = 86_400_000;
  const state = { kind, q: '', filters };
  const [before, after] = await Promise.all([
    api(
      `/v1/${kind}${qs(params(state, { startMs: doc.time - day, endMs: doc.time + 1 }, { size: 11, sort: 'desc' }))}`,
      signal,
    ),
    api(
      `/v1/${kind}${qs(params(state, { startMs: doc.time, endMs: doc.time + day }, { size: 11, sort: 'asc' }))}`,
      signal,
    ),
  ]);
  const byId = new Map([...before.items, ...after.items].map((d) => [d.id, d]));
  const items = [...byId.values()].sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : 1));
  return { filters, items };
}

/** A stored record by id and time (a shared link names both, so the drawer opens without the result list). */
export async function recordAt(state, { id, time }, signal) {
  const page = await api(
    `/v1/${state.kind}${qs(params({ ...state, q: '', filters: {} }, { startMs: time, endMs: time + 1 }, { size: 1000, sort: 'desc' }))}`,
    signal,
  );
  return page.items.find((d) => d.id === id);
}

export const exportUrl = (state, range, format) => `/v1/${state.kind}/export${qs(params(state, range, { format }))}`;
export const tailUrl = (state, fromMs) =>
  `/v1/${state.kind}/tail${qs({ ...Object.fromEntries(Object.entries(state.filters).map(([k, v]) => [k, v.join(',')])), q: state.q || undefined, start: apiTime(fromMs) })}`;
