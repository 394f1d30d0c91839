// Live tail: GET /v1/{kind}/tail (Server-Sent Events) with the view's filters and q; new records go on top
// of the results, at most MAX_ROWS kept in the page.
import { useEffect, useState } from 'preact/hooks';
import { stream } from '/ui/lib/api.js';
import { html } from '/ui/lib/html.js';
import { setParams } from '/ui/lib/router.js';
import { tailUrl } from '/ui/pages/explore-query.js';

const MAX_ROWS = 1000;

export function LiveTail({ state, onRows }) {
  const [status, setStatus] = useState('');
  const [count, setCount] = useState(0);
  const key = JSON.stringify([state.kind, state.q, state.filters, state.live]);
  useEffect(() => {
    if (!state.live) {
      setStatus('');
      return undefined;
    }
    const ac = new AbortController();
    let rows = [];
    let n = 0;
    let ended = false;
    setCount(0);
    setStatus('connecting…');
    const onEvent = (type, data) => {
      if (type === 'open') setStatus('live');
      else if (type === 'end') ended = true;
      else if (type === 'record') {
        rows = [data, ...rows].slice(0, MAX_ROWS);
        n++;
        setCount(n);
        onRows(rows);
      } else if (type === 'dropped') setStatus(`live — ${data.message}`);
      else if (type === 'error') setStatus(`paused: ${data.message}`);
      else if (type === 'resumed') setStatus('live');
    };
    // The server ends a stream after query.tail.maxDurationMs: follow on from the newest record shown.
    const follow = (from) =>
      stream(tailUrl(state, from), onEvent, ac.signal).then(
        () => {
          if (ac.signal.aborted) return;
          if (ended) {
            ended = false;
            follow(rows[0]?.time ?? Date.now());
          } else setStatus('stream closed by the server; switch Live off and on to reconnect');
        },
        (err) =>
          !ac.signal.aborted &&
          setStatus(
            `${err.message}${err.code === 'PHAROS_ERR_RATE_LIMITED' ? ' — close another live tail first' : ''}`,
          ),
      );
    follow(Date.now());
    return () => ac.abort();
  }, [key]);
  return html`<span class="live-tail">
    <button type="button" id="live-toggle" class=${state.live ? 'on' : ''} aria-pressed=${state.live ? 'true' : 'false'} onClick=${() => setParams({ live: state.live ? null : '1' }, { replace: true })}>
      ${state.live ? '■ Stop live' : '▶ Live'}
    </button>
    ${state.live && html`<span class="muted small" id="live-status" data-count=${String(count)} aria-live="polite">${status}${count ? ` · ${count} new` : ''}</span>`}
  </span>`;
}
