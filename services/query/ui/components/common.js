// Small building blocks shared by the pages: error boxes that say what to do, drawers, label chips, loading rows.
import { Component, h } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { html } from '/ui/lib/html.js';

/** What to do about an error, by catalogue code (docs/errors.md). */
const HINTS = {
  PHAROS_ERR_VALIDATION: 'Fix the highlighted input and try again.',
  PHAROS_ERR_LIMIT: 'Narrow the time range or add filters.',
  PHAROS_ERR_UNAUTHENTICATED: 'Paste a valid token with the Token button.',
  PHAROS_ERR_FORBIDDEN: 'Your token’s role or scope does not allow this: use a token that covers it, or ask an admin.',
  PHAROS_ERR_NOT_FOUND: 'It may have been deleted, or it is outside your token’s scope.',
  PHAROS_ERR_CONFLICT: 'Someone changed it meanwhile: reload and apply your change again.',
  PHAROS_ERR_UNPROCESSABLE: 'Rewrite the query in a form Pharos can answer exactly.',
  PHAROS_ERR_RATE_LIMITED: 'Wait a moment and retry.',
  PHAROS_ERR_UNAVAILABLE:
    'A backend is unreachable: retry in a moment; if it lasts, check the Clusters page and the server log.',
  PHAROS_ERR_TIMEOUT: 'The query took too long: narrow the time range or add filters.',
  PHAROS_ERR_INTERNAL: 'Something broke on the server: retry, and report it with the time if it lasts.',
  NETWORK: 'Check that Pharos is running and reachable, then retry.',
};

export function ErrorBox({ error, onRetry, inline = false }) {
  if (!error) return null;
  const hint = HINTS[error.code] ?? '';
  return html`<div class=${inline ? 'error inline-error' : 'error'} role="alert" data-code=${error.code ?? ''}>
    <strong>${error.message ?? String(error)}</strong>
    ${hint && html`<span class="hint">${hint}</span>`}
    ${(error.details ?? []).length > 0 && html`<ul class="details">${error.details.map((d) => html`<li><code>${d.path}</code>: ${d.message}</li>`)}</ul>`}
    ${onRetry && html`<button type="button" onClick=${onRetry}>Retry</button>`}
  </div>`;
}

/** A side panel: Escape closes it, focus moves in when it opens and back where it was when it closes. */
export function Drawer({ title, onClose, children, id }) {
  const ref = useRef(null);
  useEffect(() => {
    const before = document.activeElement;
    ref.current?.focus();
    const onKey = (e) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus?.();
    };
  }, []);
  return html`<aside class="drawer" id=${id} role="dialog" aria-modal="false" aria-label=${title} tabindex="-1" ref=${ref}>
    <header class="drawer-head"><h2>${title}</h2><button type="button" class="ghost" onClick=${onClose} aria-label="Close">✕</button></header>
    <div class="drawer-body">${children}</div>
  </aside>`;
}

export function Labels({ labels, skip = [] }) {
  return html`<span class="labels">${Object.entries(labels ?? {})
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => html`<span class="label"><span class="k">${k}</span>=<span class="v">${v}</span></span>`)}</span>`;
}

export const Badge = ({ kind, children }) => html`<span class=${`badge badge-${kind}`}>${children}</span>`;

/** Placeholder rows of a fixed height, so the page does not jump when data arrives. */
export const Loading = ({ rows = 3, label = 'Loading…' }) =>
  html`<div class="loading" aria-busy="true" aria-label=${label}>${Array.from({ length: rows }, () => html`<div class="skeleton"></div>`)}</div>`;

/** Says why something is not shown to this token, instead of an empty page. */
export const ScopeNote = ({ children }) => html`<p class="scope-note" role="note">🔒 ${children}</p>`;

/**
 * Renders `C` again only when a prop changed (shallow), so a page's other state updates (a picker, the live
 * status) do not redraw a long result table.
 */
export function memo(C) {
  return class Memo extends Component {
    shouldComponentUpdate(next) {
      const keys = new Set([...Object.keys(next), ...Object.keys(this.props)]);
      for (const k of keys) if (next[k] !== this.props[k]) return true;
      return false;
    }
    render(props) {
      return h(C, props);
    }
  };
}
