// Value formatting by Grafana unit id (the ids the dashboard schema and Grafana imports use).

const SI = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** `value` in the largest of `units` (each `base` times the one before) that keeps it at 1 or more. */
function scaled(value, { base, units }, decimals) {
  let i = 0;
  let v = Math.abs(value);
  while (v >= base && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${Math.sign(value) < 0 ? '-' : ''}${fixed(v, decimals)} ${units[i]}`.trim();
}

function fixed(v, decimals) {
  if (decimals !== undefined && decimals !== null) return v.toFixed(decimals);
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  if (Math.abs(v) >= 0.01) return v.toFixed(2);
  return v.toPrecision(2);
}

function duration(seconds, decimals) {
  const abs = Math.abs(seconds);
  if (abs < 1e-3) return `${fixed(seconds * 1e6, decimals)} µs`;
  if (abs < 1) return `${fixed(seconds * 1e3, decimals)} ms`;
  if (abs < 60) return `${fixed(seconds, decimals)} s`;
  if (abs < 3600) return `${fixed(seconds / 60, decimals)} min`;
  if (abs < 86400) return `${fixed(seconds / 3600, decimals)} h`;
  return `${fixed(seconds / 86400, decimals)} d`;
}

/** Formatters keyed by unit id; unknown units print the number and the unit name. */
const UNITS = {
  none: (v, d) => fixed(v, d),
  short: (v, d) => scaled(v, { base: 1000, units: SI }, d),
  percent: (v, d) => `${fixed(v, d)}%`,
  percentunit: (v, d) => `${fixed(v * 100, d)}%`,
  bytes: (v, d) => scaled(v, { base: 1024, units: IEC }, d),
  decbytes: (v, d) => scaled(v, { base: 1000, units: ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] }, d),
  bits: (v, d) => scaled(v, { base: 1000, units: ['b', 'kb', 'Mb', 'Gb', 'Tb'] }, d),
  bps: (v, d) => scaled(v, { base: 1000, units: ['bps', 'kbps', 'Mbps', 'Gbps', 'Tbps'] }, d),
  Bps: (v, d) => scaled(v, { base: 1024, units: ['B/s', 'KiB/s', 'MiB/s', 'GiB/s', 'TiB/s'] }, d),
  s: (v, d) => duration(v, d),
  ms: (v, d) => duration(v / 1000, d),
  reqps: (v, d) => `${scaled(v, { base: 1000, units: SI }, d)} req/s`,
  ops: (v, d) => `${scaled(v, { base: 1000, units: SI }, d)} ops/s`,
  pps: (v, d) => `${scaled(v, { base: 1000, units: SI }, d)} p/s`,
  iops: (v, d) => `${scaled(v, { base: 1000, units: SI }, d)} io/s`,
  celsius: (v, d) => `${fixed(v, d)} °C`,
  watt: (v, d) => scaled(v, { base: 1000, units: ['W', 'kW', 'MW'] }, d),
  hertz: (v, d) => scaled(v, { base: 1000, units: ['Hz', 'kHz', 'MHz', 'GHz'] }, d),
};

export function formatValue(value, unit, decimals) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const f = UNITS[unit ?? 'short'];
  return f ? f(value, decimals) : `${fixed(value, decimals)} ${unit}`;
}

export function formatTime(ms) {
  const d = new Date(ms);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** The colour of the highest threshold step the value reaches (Grafana's absolute mode). */
export function thresholdColor(value, thresholds, fallback = '#73bf69') {
  if (!thresholds || value === null || value === undefined) return fallback;
  let color = fallback;
  for (const step of thresholds.steps) if (step.value === null || value >= step.value) color = cssColor(step.color);
  return color;
}

const NAMED = {
  green: '#73bf69',
  red: '#f2495c',
  orange: '#ff9830',
  yellow: '#fade2a',
  blue: '#5794f2',
  purple: '#b877d9',
};
export const cssColor = (c) => NAMED[c] ?? c;

export const PALETTE = [
  '#7eb26d',
  '#eab839',
  '#6ed0e0',
  '#ef843c',
  '#e24d42',
  '#1f78c1',
  '#ba43a9',
  '#705da0',
  '#508642',
  '#cca300',
];
