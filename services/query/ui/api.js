/* global localStorage, fetch */
// API access with the user's token: kept in localStorage, sent as `Authorization: Bearer` on every call.

const KEY = 'pharos.token';

export const getToken = () => localStorage.getItem(KEY) ?? '';
export const setToken = (t) => (t ? localStorage.setItem(KEY, t) : localStorage.removeItem(KEY));

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GET a JSON document from the Pharos API; errors carry the catalogue code and message. */
export async function api(path) {
  const res = await fetch(path, { headers: { authorization: `Bearer ${getToken()}`, accept: 'application/json' } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, body.error?.code ?? `HTTP_${res.status}`, body.error?.message ?? res.statusText);
  return body;
}
