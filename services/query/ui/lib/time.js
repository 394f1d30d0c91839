// Times in URLs: `now`, `now-15m` (relative: s, m, h, d, w) or RFC 3339. Shown in the browser's zone and in UTC.

const UNIT = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const PRESETS = [
  ['now-5m', 'Last 5 minutes'],
  ['now-15m', 'Last 15 minutes'],
  ['now-1h', 'Last hour'],
  ['now-6h', 'Last 6 hours'],
  ['now-24h', 'Last 24 hours'],
  ['now-7d', 'Last 7 days'],
  ['now-30d', 'Last 30 days'],
];

/** Epoch ms of a URL time, or NaN when it is neither relative nor RFC 3339. */
export function resolveTime(value, now = Date.now()) {
  if (!value || value === 'now') return now;
  const m = /^now-(\d+)([smhdw])$/.exec(value);
  if (m) return now - Number(m[1]) * UNIT[m[2]];
  if (/^\d{13}$/.test(value)) return Number(value);
  return Date.parse(value);
}

export const isRelative = (value) => !value || value === 'now' || /^now-\d+[smhdw]$/.test(value);

/** The Query API's time parameter: epoch seconds (ms precision). */
export const apiTime = (ms) => (ms / 1000).toFixed(3);

export const isoUtc = (ms) => new Date(ms).toISOString();

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** `2024-03-01 13:04:05.123` in the browser's zone. */
export function localTime(ms, withMs = true) {
  const d = new Date(ms);
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return withMs ? `${base}.${pad(d.getMilliseconds(), 3)}` : base;
}

export const zoneName = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'local';

/** `3 min ago`, `in 2 h`. */
export function relative(ms, now = Date.now()) {
  const s = Math.round((now - ms) / 1000);
  const abs = Math.abs(s);
  const text =
    abs < 60
      ? `${abs} s`
      : abs < 3600
        ? `${Math.round(abs / 60)} min`
        : abs < 86400
          ? `${Math.round(abs / 3600)} h`
          : `${Math.round(abs / 86400)} d`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

/** Bucket width for a range: about 60–120 bars, a familiar step, as the histogram API's `interval`. */
export function histogramInterval(rangeMs) {
  const steps = [
    ['1s', 1e3],
    ['5s', 5e3],
    ['10s', 1e4],
    ['30s', 3e4],
    ['1m', 6e4],
    ['5m', 3e5],
    ['10m', 6e5],
    ['30m', 18e5],
    ['1h', 36e5],
    ['3h', 108e5],
    ['6h', 216e5],
    ['12h', 432e5],
    ['1d', 864e5],
  ];
  for (const [name, ms] of steps) if (rangeMs / ms <= 120) return { name, ms };
  return { name: '1d', ms: 864e5 };
}
