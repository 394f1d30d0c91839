// The Pharos console: one app at /ui, a page per path, the URL holding every page's state.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, getToken, onUnauthenticated, setToken } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { interceptLinks, upgradeLegacyHash, useRoute } from '/ui/lib/router.js';
import { ErrorBox } from '/ui/components/common.js';

/** Pages by first path segment, loaded when first visited so the first screen fetches only its own code. */
const PAGES = {
  '': ['Home', () => import('/ui/pages/home.js')],
  explore: ['Explore', () => import('/ui/pages/explore.js')],
  alerts: ['Alerts', () => import('/ui/pages/alerts.js')],
  silences: ['Silences', () => import('/ui/pages/silences.js')],
  rules: ['Rules', () => import('/ui/pages/rules.js')],
  traces: ['Traces', () => import('/ui/pages/traces.js')],
  clusters: ['Clusters', () => import('/ui/pages/clusters.js')],
  dashboards: ['Dashboards', () => import('/ui/pages/dashboards.js')],
};
const NAV = [
  ['explore/logs', 'Explore', 'explore'],
  ['alerts', 'Alerts', 'alerts'],
  ['silences', 'Silences', 'silences'],
  ['rules', 'Rules', 'rules'],
  ['traces', 'Traces', 'traces'],
  ['clusters', 'Clusters', 'clusters'],
  ['dashboards', 'Dashboards', 'dashboards'],
];

const THEME_KEY = 'pharos.theme';
function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  localStorage.setItem(THEME_KEY, theme);
}

function TokenPrompt({ message, onSaved }) {
  const [value, setValue] = useState('');
  return html`<main id="main" class="token-page">
    <form id="token-form" class="token-form" onSubmit=${(e) => {
      e.preventDefault();
      setToken(value.trim());
      onSaved();
    }}>
      <h1>Sign in to Pharos</h1>
      <p id="token-message" class="muted">${message || 'Paste a Pharos API token. It is kept in this browser only and sent with every request.'}</p>
      <label for="token-input">API token</label>
      <input id="token-input" type="password" autocomplete="current-password" required autofocus value=${value} onInput=${(e) => setValue(e.target.value)} placeholder="pharos_…" />
      <button type="submit">Continue</button>
      <p class="muted small">With <code>npm start</code> and no tokens configured, the admin token is in <code>data/admin-token</code>.</p>
    </form>
  </main>`;
}

function ScopeBadge({ me }) {
  if (!me) return null;
  const text = me.restricted
    ? `clusters: ${me.scope.clusters.join(', ')} · namespaces: ${me.scope.namespaces.join(', ')}`
    : 'all clusters and namespaces';
  return html`<span class=${`scope-badge${me.restricted ? ' restricted' : ''}`} id="scope-badge" title=${`Token "${me.name}", role ${me.role}. ${me.restricted ? 'Data outside this scope is hidden on every page.' : ''}`}>
    ${me.name} · ${me.role}${me.restricted ? html` · 🔒 ${text}` : ''}</span>`;
}

function Page({ route, me }) {
  const key = route.parts[0] ?? '';
  const entry = PAGES[key];
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setMod(null);
    setError(null);
    if (entry) entry[1]().then((m) => setMod(() => m.default), setError);
  }, [key]);
  useEffect(() => {
    document.title = `${entry ? entry[0] : 'Not found'} · Pharos`;
  }, [key]);
  if (!entry)
    return html`<div class="page"><h1>No such page</h1><p>There is no console page at this address. Use the menu above.</p></div>`;
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!mod) return html`<div class="page" aria-busy="true"></div>`;
  const Component = mod;
  return html`<${Component} route=${route} me=${me} />`;
}

function App() {
  const route = useRoute();
  const [token, setTokenState] = useState(getToken());
  const [prompt, setPrompt] = useState(getToken() ? '' : 'Pharos needs a token to show this page.');
  const [me, setMe] = useState(null);
  const [meError, setMeError] = useState(null);
  const [theme, setTheme] = useState(document.documentElement.dataset.theme);
  useEffect(
    () => onUnauthenticated(() => setPrompt('Your token was refused (expired or revoked?): paste a valid one.')),
    [],
  );
  useEffect(() => {
    if (!token || prompt) return;
    setMe(null);
    setMeError(null);
    api('/v1/me').then(setMe, (err) => (err instanceof ApiError && err.status === 401 ? null : setMeError(err)));
  }, [token, prompt]);
  if (prompt)
    return html`<${TokenPrompt} message=${getToken() ? prompt : ''} onSaved=${() => {
      setTokenState(getToken());
      setPrompt('');
    }} />`;
  const active = route.parts[0] ?? '';
  return html`<div class="shell">
    <a class="skip" href="#main">Skip to content</a>
    <header class="topbar">
      <a class="brand" href="/ui/">Pharos</a>
      <nav aria-label="Console pages">${NAV.map(([href, label, key]) => html`<a href=${`/ui/${href}`} class=${active === key ? 'active' : ''} aria-current=${active === key ? 'page' : undefined}>${label}</a>`)}</nav>
      <span class="spacer"></span>
      <${ScopeBadge} me=${me} />
      <button type="button" class="ghost" id="theme-button" aria-label="Switch light or dark theme" onClick=${() => {
        const next = theme === 'dark' ? 'light' : 'dark';
        applyTheme(next);
        setTheme(next);
      }}>${theme === 'dark' ? '☀ Light' : '☾ Dark'}</button>
      <button type="button" class="ghost" id="token-button" onClick=${() => setPrompt('Replace the saved token.')}>Token</button>
    </header>
    <main id="main" tabindex="-1">
      ${meError ? html`<${ErrorBox} error=${meError.status === 403 ? { ...meError, message: `${meError.message}. The console needs a viewer, editor or admin token (ingest tokens may only post records).` } : meError} />` : html`<${Page} route=${route} me=${me} />`}
    </main>
  </div>`;
}

upgradeLegacyHash();
applyTheme(
  localStorage.getItem(THEME_KEY) ?? (window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark'),
);
const root = document.getElementById('app');
interceptLinks(root);
render(html`<${App} />`, root);
