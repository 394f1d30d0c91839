// The result list: newest first, pages fetched by cursor as the end of the list comes into view (no row
// ceiling); rows from the live tail on top. Rows are focusable: Enter or a click opens the record.
import { useEffect, useRef } from 'preact/hooks';
import { html } from '/ui/lib/html.js';
import { memo } from '/ui/components/common.js';
import { localTime } from '/ui/lib/time.js';
import { COLUMNS } from '/ui/pages/explore-query.js';

function cell(kind, doc, column) {
  if (column === 'object') return [doc.objectKind, doc.name].filter(Boolean).join('/');
  const v = doc[column];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

const severity = (doc) => (doc.type === 'Warning' || (doc.code ?? 0) >= 400 ? 'warn' : '');

function Row({ kind, doc, selected, live, onOpen }) {
  const open = () => onOpen(doc);
  return html`<tr class=${`${severity(doc)}${selected ? ' selected' : ''}${live ? ' live' : ''}`} tabindex="0" data-id=${doc.id} aria-selected=${selected ? 'true' : 'false'}
    onClick=${open} onKeyDown=${(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), open())}>
    <td class="time" title=${new Date(doc.time).toISOString()}>${localTime(doc.time)}</td>
    ${COLUMNS[kind].map((c) => html`<td class=${c === 'message' ? 'msg' : c}>${cell(kind, doc, c)}</td>`)}
  </tr>`;
}

export const Results = memo(function Results({ kind, items, live, selectedId, hasMore, loadingMore, onMore, onOpen }) {
  const sentinel = useRef(null);
  useEffect(() => {
    if (!sentinel.current || !hasMore) return undefined;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && onMore(), {
      rootMargin: '600px',
    });
    io.observe(sentinel.current);
    return () => io.disconnect();
  }, [hasMore, onMore, items.length]);
  return html`<div class="results">
    <table class="records" id="results">
      <thead><tr><th class="time">time</th>${COLUMNS[kind].map((c) => html`<th class=${c}>${c}</th>`)}</tr></thead>
      <tbody>
        ${live.map((d) => html`<${Row} key=${`live-${d.id}`} kind=${kind} doc=${d} live selected=${d.id === selectedId} onOpen=${onOpen} />`)}
        ${items.map((d) => html`<${Row} key=${d.id} kind=${kind} doc=${d} selected=${d.id === selectedId} onOpen=${onOpen} />`)}
      </tbody>
    </table>
    ${hasMore ? html`<div class="more" ref=${sentinel}><button type="button" onClick=${onMore} disabled=${loadingMore}>${loadingMore ? 'Loading…' : 'Load more'}</button></div>` : items.length > 0 && html`<p class="muted small end-of-results" id="end-of-results">End of results.</p>`}
  </div>`;
});
