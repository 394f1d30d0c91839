// The volume histogram: stacked bars (uPlot), one colour per value of the split field; drag across it to zoom.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '/ui/lib/html.js';
import { PALETTE } from '/ui/lib/format.js';
import { localTime } from '/ui/lib/time.js';

const HEIGHT = 150;

export function Histogram({ data, onZoom }) {
  const box = useRef(null);
  useEffect(() => {
    const node = box.current;
    if (!node || !data) return undefined;
    node.replaceChildren();
    const xs = data.times.map((t) => t / 1000);
    // Stacked by drawing cumulative sums, largest first: band i shows between sum(i+1…) and sum(i…).
    const cumulative = data.series.map((_, i) =>
      data.times.map((__, j) => data.series.slice(i).reduce((n, s) => n + (s.counts[j] ?? 0), 0)),
    );
    const axis = getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#888';
    const grid = getComputedStyle(document.documentElement).getPropertyValue('--border').trim() || '#333';
    const width = () => Math.max(300, node.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        legend: { show: data.series.length > 1, live: true },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        select: { show: true },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { stroke: axis, grid: { stroke: grid } },
          { stroke: axis, grid: { stroke: grid }, size: 50 },
        ],
        series: [
          { value: (_u, v) => (v === null ? '' : localTime(v * 1000, false)) },
          ...data.series.map((s, i) => ({
            label: s.name,
            fill: PALETTE[i % PALETTE.length],
            stroke: PALETTE[i % PALETTE.length],
            width: 0,
            paths: uPlot.paths.bars({ size: [0.9, 40] }),
            points: { show: false },
            // uPlot calls value(u, rawValue, seriesIdx, idx): only the point's index matters here.
            value: (...args) => {
              const idx = args[3];
              return idx === null ? '' : String(data.series[i].counts[idx] ?? 0);
            },
          })),
        ],
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width < 3) return;
              const from = u.posToVal(u.select.left, 'x') * 1000;
              const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
              u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
              onZoom(Math.floor(from), Math.ceil(to));
            },
          ],
        },
      },
      [xs, ...cumulative],
      node,
    );
    node.dataset.buckets = String(xs.length);
    node.dataset.total = String(data.total);
    const ro = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    ro.observe(node);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [data]);
  return html`<div class="histogram" id="histogram" ref=${box} aria-label="record volume over time; drag to zoom"></div>`;
}
