// The service graph as SVG: a layered layout (callers left of callees, the longest call path from a node that
// nobody calls deciding its column), nodes labelled service and cluster/namespace, edges labelled requests/s,
// error rate and p95. Cross-cluster edges are dashed and drawn in the warning colour.
import { html } from '/ui/lib/html.js';

const NODE_W = 190;
const NODE_H = 46;
// Wide enough for an edge's label (about 230 px) between two columns.
const COL_GAP = 270;
const ROW_GAP = 34;
const PAD = 20;

/** Column of every node: the longest path to it from a node without callers (cycles stop after n rounds). */
export function layers(nodes, edges) {
  const layer = new Map(nodes.map((n) => [n.id, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const e of edges) {
      if (e.source === e.target || !layer.has(e.source) || !layer.has(e.target)) continue;
      const want = layer.get(e.source) + 1;
      if (want > layer.get(e.target) && want < nodes.length) {
        layer.set(e.target, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return layer;
}

/** x/y of every node's box, columns by layer, rows in id order within a column. */
export function layout(nodes, edges) {
  const layer = layers(nodes, edges);
  const columns = [];
  for (const n of [...nodes].sort((a, b) => a.id.localeCompare(b.id))) {
    const c = layer.get(n.id);
    (columns[c] ??= []).push(n.id);
  }
  const pos = new Map();
  const rows = Math.max(1, ...columns.map((c) => c?.length ?? 0));
  const height = PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP;
  columns.forEach((ids, c) => {
    const used = ids.length * NODE_H + (ids.length - 1) * ROW_GAP;
    const top = (height - used) / 2;
    ids.forEach((id, r) => pos.set(id, { x: PAD + c * (NODE_W + COL_GAP), y: top + r * (NODE_H + ROW_GAP) }));
  });
  const width = PAD * 2 + Math.max(1, columns.length) * NODE_W + (columns.length - 1) * COL_GAP;
  return { pos, width: Math.max(width, 400), height };
}

export const pct = (v) => `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
export const rate = (v) => (v >= 10 ? v.toFixed(0) : v >= 0.1 ? v.toFixed(2) : v.toPrecision(2));
export const ms = (v) => `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;
export const edgeLabel = (e) => `${rate(e.requestRate)} req/s · ${pct(e.errorRate)} err · p95 ${ms(e.p95Ms)}`;
export const place = (n) => `${n.cluster}/${n.namespace ?? '–'}`;

function Edge({ e, from, to, selected, onSelect }) {
  const self = e.source === e.target;
  const x1 = from.x + NODE_W;
  const y1 = from.y + NODE_H / 2;
  const x2 = self ? from.x + NODE_W - 30 : to.x;
  const y2 = self ? from.y + NODE_H : to.y + NODE_H / 2;
  // Backward edges (a callee in an earlier column) and calls to itself curve below the boxes instead of crossing them.
  const back = !self && x2 <= x1;
  const mid = (x1 + x2) / 2;
  const d = self
    ? `M ${x1} ${y1} C ${x1 + 60} ${y1 + 10}, ${x2 + 20} ${y2 + 50}, ${x2} ${y2}`
    : back
      ? `M ${x1} ${y1} C ${x1 + 80} ${y1 + 90}, ${x2 - 80} ${y2 + 90}, ${x2} ${y2}`
      : `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
  const lx = self ? x1 : mid;
  const ly = self ? y2 + 55 : back ? Math.max(y1, y2) + 70 : (y1 + y2) / 2 - 6;
  const cls = `edge${e.crossCluster ? ' cross' : ''}${e.errors > 0 ? ' failing' : ''}${selected ? ' selected' : ''}`;
  const activate = () => onSelect(e.id);
  return html`<g class=${cls} data-edge=${e.id} tabindex="0" role="button" aria-label=${`${e.source} to ${e.target}: ${edgeLabel(e)}${e.crossCluster ? ', cross-cluster' : ''}`}
    onClick=${activate} onKeyDown=${(ev) => (ev.key === 'Enter' || ev.key === ' ') && (ev.preventDefault(), activate())}>
    <path class="edge-hit" d=${d} />
    <path class="edge-line" d=${d} marker-end=${`url(#${e.crossCluster ? 'arrow-cross' : 'arrow'})`} />
    <text class="edge-label" x=${lx} y=${ly} text-anchor="middle">${e.crossCluster ? '⇄ ' : ''}${edgeLabel(e)}</text>
  </g>`;
}

function Node({ n, p }) {
  return html`<g class=${`node${n.errors > 0 ? ' failing' : ''}`} data-node=${n.id} transform=${`translate(${p.x} ${p.y})`}>
    <title>${n.id}: ${n.requests} call${n.requests === 1 ? '' : 's'} received, ${n.errors} failed</title>
    <rect width=${NODE_W} height=${NODE_H} rx="6" />
    <text class="node-service" x="10" y="19">${n.service}</text>
    <text class="node-place" x="10" y="36">${place(n)}</text>
  </g>`;
}

/**
 * `id` names the SVG (the Traces page's `topology-graph`; a dashboard panel gives its own); `withTable` says
 * whether a table of the same calls follows (the Traces page's does, a panel has none).
 */
export function TopologyGraph({ nodes, edges, selected, onSelect, id = 'topology-graph', withTable = true }) {
  const { pos, width, height } = layout(nodes, edges);
  const drawn = edges.filter((e) => pos.has(e.source) && pos.has(e.target));
  // Room below the boxes only when some edge curves there (a call back to an earlier column, or to itself).
  const below = drawn.some((e) => e.source === e.target || pos.get(e.target).x <= pos.get(e.source).x) ? 80 : 0;
  return html`<div class="graph-scroll"><svg id=${id} class="topology-graph" width=${width} height=${height + below} viewBox=${`0 0 ${width} ${height + below}`} role="img" aria-label=${`Service graph: ${nodes.length} services, ${edges.length} calls${withTable ? '; the table below lists the same calls' : ''}`}>
    <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow" /></marker>
      <marker id="arrow-cross" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow cross" /></marker>
    </defs>
    ${drawn.map((e) => html`<${Edge} key=${e.id} e=${e} from=${pos.get(e.source)} to=${pos.get(e.target)} selected=${e.id === selected} onSelect=${onSelect} />`)}
    ${nodes.map((n) => html`<${Node} key=${n.id} n=${n} p=${pos.get(n.id)} />`)}
  </svg></div>`;
}
