// Path routing under /ui: the URL (path and query) is the page's whole state, so a link reproduces the view.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set();
const notify = () => listeners.forEach((fn) => fn());
window.addEventListener('popstate', notify);
// A bookmark of the old viewer opened from a page of the app changes only the hash.
window.addEventListener('hashchange', () => {
  upgradeLegacyHash();
  notify();
});

export function currentRoute() {
  const path = location.pathname.replace(/^\/ui\/?/, '').replace(/\/$/, '');
  return { parts: path ? path.split('/').map(decodeURIComponent) : [], params: new URLSearchParams(location.search) };
}

/** Goes to a URL of the app; `replace` keeps the history entry (typing, live updates). */
export function navigate(url, { replace = false } = {}) {
  const target = url.startsWith('/ui') ? url : `/ui/${url.replace(/^\//, '')}`;
  if (target === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', target);
  notify();
  if (!replace) window.scrollTo(0, 0);
}

/** Sets some query parameters of the current page (null removes one; arrays repeat it). */
export function setParams(changes, opts) {
  const params = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    params.delete(k);
    for (const one of [v].flat()) if (one !== null && one !== undefined && one !== '') params.append(k, String(one));
  }
  const s = params.toString();
  navigate(`${location.pathname}${s ? `?${s}` : ''}`, opts);
}

export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const fn = () => setRoute(currentRoute());
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, []);
  return route;
}

/** Plain left clicks on /ui links navigate inside the app instead of reloading the page. */
export function interceptLinks(root) {
  root.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[href^="/ui"]');
    if (
      !a ||
      e.defaultPrevented ||
      e.button !== 0 ||
      e.metaKey ||
      e.ctrlKey ||
      e.shiftKey ||
      e.altKey ||
      a.target ||
      a.hasAttribute('download')
    )
      return;
    e.preventDefault();
    navigate(a.getAttribute('href'));
  });
}

/** The old viewer's bookmarks (#/d/<id>?from=…) still open: they become /ui/dashboards/<id>?from=…. */
export function upgradeLegacyHash() {
  const m = /^#\/d\/([^?]+)(\?.*)?$/.exec(location.hash);
  if (m) history.replaceState(null, '', `/ui/dashboards/${m[1]}${m[2] ?? ''}`);
  else if (location.hash === '#/' || location.hash === '#')
    history.replaceState(null, '', location.pathname + location.search);
}
