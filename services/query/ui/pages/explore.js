// Explore: search logs, events and audit across clusters. The URL holds the whole view.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { download } from '/ui/lib/api.js';
import { RECORD_KINDS } from '/ui/lib/fields.js';
import { html } from '/ui/lib/html.js';
import { setParams } from '/ui/lib/router.js';
import { isoUtc } from '/ui/lib/time.js';
import { ErrorBox, Loading, ScopeNote } from '/ui/components/common.js';
import { Histogram } from '/ui/components/histogram.js';
import { TimeRange } from '/ui/components/time-range.js';
import { Facets, ValuePicker } from '/ui/pages/explore-facets.js';
import { exportUrl, histogramOf, readExplore, recordAt, resolveRange, searchPage } from '/ui/pages/explore-query.js';
import { Results } from '/ui/pages/explore-results.js';
import { LiveTail } from '/ui/pages/explore-live.js';
import { RecordDrawer } from '/ui/pages/record-drawer.js';

/** Rows of the first answer: a screen and a half; the rest come by cursor as the list is scrolled. */
const FIRST_PAGE = 50;
const NEXT_PAGE = 500;
const SPLITS = {
  logs: ['', 'cluster', 'namespace', 'pod', 'container', 'node'],
  events: ['', 'type', 'reason', 'kind', 'cluster', 'namespace'],
  audit: ['', 'verb', 'code', 'level', 'resource', 'user', 'cluster', 'namespace'],
};

/** Errors about `q` are shown under the query box, in the API's words. */
const isQueryError = (e) =>
  e &&
  e.code === 'PHAROS_ERR_VALIDATION' &&
  (/\bq\b|search|query/i.test(e.message) || (e.details ?? []).some((d) => /(^|\.)q$/.test(d.path ?? '')));

function QueryBar({ state }) {
  const [q, setQ] = useState(state.q);
  useEffect(() => setQ(state.q), [state.q]);
  return html`<form class="query-bar" id="query-form" role="search" onSubmit=${(e) => {
    e.preventDefault();
    setParams({ q: q.trim() || null, record: null, rt: null });
  }}>
    <label class="sr-only" for="q">Search ${state.kind}</label>
    <input id="q" type="search" value=${q} onInput=${(e) => setQ(e.target.value)} placeholder=${`Search ${state.kind}: words, "phrases", field:value, AND OR NOT — press / to focus`} autocomplete="off" spellcheck="false" />
    <button type="submit">Search</button>
  </form>`;
}

function FilterChips({ state }) {
  const entries = Object.entries(state.filters).filter(([k]) => k !== 'cluster' && k !== 'namespace');
  if (!entries.length) return null;
  return html`<div class="chips" id="filter-chips">${entries.map(
    ([k, values]) => html`<span class="chip">${k} = ${values.join(' | ')}
    <button type="button" class="ghost" aria-label=${`remove filter ${k}`} onClick=${() => setParams({ [k]: null })}>✕</button></span>`,
  )}</div>`;
}

function useSearch(state, range) {
  const [view, setView] = useState({ loading: true, items: [], total: 0, cursor: null, error: null });
  const more = useRef(null);
  const key = JSON.stringify([state.kind, state.q, state.filters, range]);
  // A layout effect: the first screen's requests leave right after the first render, not a frame later.
  useLayoutEffect(() => {
    const ac = new AbortController();
    more.current = ac;
    setView((v) => ({ ...v, loading: true, error: null }));
    searchPage({ state, range }, { size: FIRST_PAGE }, ac.signal).then(
      (page) => setView({ loading: false, items: page.items, total: page.total, cursor: page.cursor, error: null }),
      (error) => error.name !== 'AbortError' && setView({ loading: false, items: [], total: 0, cursor: null, error }),
    );
    return () => ac.abort();
  }, [key]);
  const loadMore = useCallback(() => {
    setView((v) => {
      if (!v.cursor || v.loadingMore) return v;
      searchPage({ state, range }, { cursor: v.cursor, size: NEXT_PAGE }, more.current?.signal).then(
        (page) =>
          setView((w) => ({ ...w, loadingMore: false, items: [...w.items, ...page.items], cursor: page.cursor })),
        (error) => error.name !== 'AbortError' && setView((w) => ({ ...w, loadingMore: false, error })),
      );
      return { ...v, loadingMore: true };
    });
  }, [key]);
  return [view, loadMore];
}

function useHistogram(state, range) {
  const [h, setH] = useState({ data: null, error: null });
  const key = JSON.stringify([state.kind, state.q, state.filters, range, state.split]);
  useLayoutEffect(() => {
    const ac = new AbortController();
    histogramOf(state, range, ac.signal).then(
      (data) => setH({ data, error: null }),
      (error) => error.name !== 'AbortError' && setH({ data: null, error }),
    );
    return () => ac.abort();
  }, [key]);
  return h;
}

function useSelected(state, items, live) {
  const [found, setFound] = useState({ doc: null, loading: false, error: null });
  useEffect(() => {
    if (!state.record) return setFound({ doc: null, loading: false, error: null });
    const inList = [...live, ...items].find((d) => d.id === state.record);
    if (inList) return setFound({ doc: inList, loading: false, error: null });
    if (state.recordTime === undefined) return setFound({ doc: null, loading: false, error: null });
    const ac = new AbortController();
    setFound({ doc: null, loading: true, error: null });
    recordAt(state, { id: state.record, time: state.recordTime }, ac.signal).then(
      (doc) => setFound({ doc: doc ?? null, loading: false, error: null }),
      (error) => error.name !== 'AbortError' && setFound({ doc: null, loading: false, error }),
    );
    return () => ac.abort();
  }, [state.record, state.recordTime, state.kind, items.length > 0]);
  return found;
}

export default function Explore({ route, me }) {
  const kind = route.parts[1] ?? 'logs';
  if (!RECORD_KINDS.includes(kind))
    return html`<div class="page"><h1>Unknown record kind</h1><p>Explore shows <a href="/ui/explore/logs">logs</a>, <a href="/ui/explore/events">events</a> or <a href="/ui/explore/audit">audit</a>.</p></div>`;
  return html`<${ExploreView} key=${kind} route=${route} me=${me} />`;
}

function ExploreView({ route, me }) {
  const state = readExplore(route);
  const [runAt, setRunAt] = useState(Date.now());
  const range = useMemo(() => resolveRange(state, runAt), [state.start, state.end, runAt]);
  const badRange = Number.isNaN(range.startMs) || Number.isNaN(range.endMs);
  const [view, loadMore] = useSearch(state, badRange ? { startMs: 0, endMs: 1 } : range);
  const histogram = useHistogram(state, badRange ? { startMs: 0, endMs: 1 } : range);
  const [liveRows, setLiveRows] = useState([]);
  useEffect(() => setLiveRows([]), [JSON.stringify([state.kind, state.q, state.filters])]);
  const selected = useSelected(state, view.items, liveRows);
  const [exportError, setExportError] = useState(null);
  useEffect(() => {
    const onKey = (e) => {
      if (e.key === '/' && !/INPUT|TEXTAREA|SELECT/.test(document.activeElement?.tagName ?? '')) {
        e.preventDefault();
        document.getElementById('q')?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  const toggleValue = (field, value) => {
    const now = new Set(state.filters[field] ?? []);
    if (now.has(value)) now.delete(value);
    else now.add(value);
    setParams({ [field]: [...now].join(',') || null, record: null, rt: null });
  };
  const open = useCallback((doc) => setParams({ record: doc.id, rt: doc.time }), []);
  const queryError = isQueryError(view.error) ? view.error : null;
  return html`<div class="page explore" data-kind=${state.kind}>
    <div class="explore-head">
      <nav class="tabs" aria-label="record kind">${RECORD_KINDS.map((k) => html`<a href=${`/ui/explore/${k}${route.params.get('start') ? `?start=${encodeURIComponent(state.start)}&end=${encodeURIComponent(state.end)}` : ''}`} class=${k === state.kind ? 'active' : ''} aria-current=${k === state.kind ? 'page' : undefined}>${k}</a>`)}</nav>
      <${QueryBar} state=${state} />
    </div>
    ${queryError && html`<div id="q-error"><${ErrorBox} error=${queryError} inline /></div>`}
    <div class="toolbar">
      <${ValuePicker} state=${state} range=${range} field="cluster" label="Cluster" onPick=${(f, v) => setParams({ [f]: v || null, record: null, rt: null })} />
      <${ValuePicker} state=${state} range=${range} field="namespace" label="Namespace" onPick=${(f, v) => setParams({ [f]: v || null, record: null, rt: null })} />
      <${TimeRange} start=${state.start} end=${state.end} onChange=${(start, end) => {
        setRunAt(Date.now());
        setParams({ start, end, record: null, rt: null });
      }} />
      <button type="button" class="ghost" title="Run again (relative times move to now)" onClick=${() => setRunAt(Date.now())}>↻</button>
    </div>
    <${FilterChips} state=${state} />
    ${me?.restricted && html`<${ScopeNote}>Only records of ${me.scope.clusters.includes('*') ? 'every cluster' : `clusters ${me.scope.clusters.join(', ')}`} and ${me.scope.namespaces.includes('*') ? 'every namespace' : `namespaces ${me.scope.namespaces.join(', ')}`} are searched: your token is limited to them${me.scope.namespaces.includes('*') ? '' : ', and records without a namespace (cluster-level) are hidden'}.</${ScopeNote}>`}
    ${badRange && html`<${ErrorBox} error=${{ code: 'PHAROS_ERR_VALIDATION', message: `The time range ${state.start} → ${state.end} is not valid: use now, now-15m or RFC 3339 times.` }} />`}
    <div class="explore-body">
      <${Facets} state=${state} range=${range} ready=${!view.loading && (histogram.data !== null || histogram.error !== null)} onToggleValue=${toggleValue} />
      <section class="explore-main" aria-label="results">
        <div class="histogram-head">
          <span class="count" id="result-count" data-total=${view.loading ? '' : String(view.total)} aria-live="polite">${view.loading ? 'Searching…' : view.error ? '' : `${view.total.toLocaleString()} ${state.kind === 'audit' ? 'audit events' : state.kind}`}</span>
          <label class="picker small">Split by <select id="split" value=${state.split} onChange=${(e) => setParams({ split: e.target.value })}>${SPLITS[state.kind].map((f) => html`<option value=${f}>${f || 'nothing'}</option>`)}</select></label>
          <span class="spacer"></span>
          <${LiveTail} state=${state} onRows=${setLiveRows} />
          <button type="button" onClick=${() => download(exportUrl(state, range, 'ndjson'), `${state.kind}.ndjson`).catch(setExportError)}>Export NDJSON</button>
          <button type="button" onClick=${() => download(exportUrl(state, range, 'csv'), `${state.kind}.csv`).catch(setExportError)}>Export CSV</button>
        </div>
        <${ErrorBox} error=${exportError} />
        <div class="histogram-box">${histogram.error && histogram.error.message !== view.error?.message ? html`<${ErrorBox} error=${histogram.error} />` : histogram.data ? html`<${Histogram} data=${histogram.data} onZoom=${(from, to) => setParams({ start: isoUtc(from), end: isoUtc(to), record: null, rt: null })} />` : html`<div class="histogram skeleton-box"></div>`}</div>
        ${view.error && !queryError && html`<${ErrorBox} error=${view.error} onRetry=${() => setRunAt(Date.now())} />`}
        ${view.loading && view.items.length === 0 ? html`<${Loading} rows=${8} />` : html`<${Results} kind=${state.kind} items=${view.items} live=${liveRows} selectedId=${state.record} hasMore=${Boolean(view.cursor)} loadingMore=${view.loadingMore} onMore=${loadMore} onOpen=${open} />`}
        ${!view.loading && !view.error && view.total === 0 && liveRows.length === 0 && html`<p class="empty-note">No ${state.kind} match in this time range. Widen the range, remove a filter, or check the query.</p>`}
      </section>
      ${state.record && html`<${RecordDrawer} kind=${state.kind} doc=${selected.doc} loading=${selected.loading} error=${selected.error} onClose=${() => setParams({ record: null, rt: null })} onOpen=${open} />`}
    </div>
  </div>`;
}
