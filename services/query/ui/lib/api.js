// API access with the user's token: kept in localStorage, sent as `Authorization: Bearer` on every call.

const KEY = 'pharos.token';

export const getToken = () => localStorage.getItem(KEY) ?? '';
export const setToken = (t) => (t ? localStorage.setItem(KEY, t) : localStorage.removeItem(KEY));

export class ApiError extends Error {
  /** `status` 0: no answer came (a network failure); `code` is the answer's PHAROS_ERR_… or a local one. */
  constructor(status, { code, message, details }) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details ?? [];
  }
}

const listeners = new Set();
/** Called with every 401, so the shell can ask for a token again. */
export const onUnauthenticated = (fn) => listeners.add(fn);

async function request(method, path, { body, signal } = {}) {
  const headers = { authorization: `Bearer ${getToken()}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(0, {
      code: 'NETWORK',
      message: `Pharos did not answer (${err.message}). Check that the server is running and reachable, then retry.`,
    });
  }
  if (res.status === 204) return {};
  let data;
  try {
    data = await res.json();
  } catch (err) {
    // Aborted while the body was read (the view changed): an abort, not an empty answer.
    if (signal?.aborted || err.name === 'AbortError') throw new DOMException('aborted', 'AbortError');
    if (res.ok)
      throw new ApiError(res.status, {
        code: 'NETWORK',
        message: `Pharos sent an answer that is not JSON for ${path}; retry.`,
      });
    data = {};
  }
  if (!res.ok) {
    if (res.status === 401) for (const fn of listeners) fn();
    throw new ApiError(res.status, {
      code: data.error?.code ?? `HTTP_${res.status}`,
      message: data.error?.message ?? data.error ?? res.statusText,
      details: data.error?.details,
    });
  }
  return data;
}

export const api = (path, signal) => request('GET', path, { signal });
export const post = (path, body, signal) => request('POST', path, { body, signal });
export const del = (path, signal) => request('DELETE', path, { signal });

/** A query string from an object; arrays repeat the key, empty values are left out. */
export function qs(params) {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of [v].flat()) if (one !== undefined && one !== null && one !== '') out.append(k, String(one));
  }
  const s = out.toString();
  return s ? `?${s}` : '';
}

/**
 * Reads a Server-Sent Events stream (text/event-stream) with fetch, since EventSource cannot send an
 * Authorization header. Calls onEvent(type, data) per event; resolves when the stream ends or signal aborts.
 */
export async function stream(path, onEvent, signal) {
  const res = await fetch(path, {
    headers: { authorization: `Bearer ${getToken()}`, accept: 'text/event-stream' },
    signal,
  });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new ApiError(res.status, {
      code: data.error?.code ?? `HTTP_${res.status}`,
      message: data.error?.message ?? res.statusText,
    });
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let type = 'message';
        const data = [];
        for (const line of frame.split('\n')) {
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length) onEvent(type, JSON.parse(data.join('\n')));
      }
    }
  } catch (err) {
    if (err.name !== 'AbortError') throw err;
  }
}

/** Downloads an API answer as a file (the export needs the Authorization header, so a plain link cannot). */
export async function download(path, filename) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${getToken()}` } });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new ApiError(res.status, {
      code: data.error?.code ?? `HTTP_${res.status}`,
      message: data.error?.message ?? res.statusText,
    });
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
