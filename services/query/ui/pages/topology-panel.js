// Dashboards' topology panels: the render API's topology answer drawn with the Traces page's graph component, a
// click on a call listing its slowest traces below the graph, as on the Traces page.
import { render } from 'preact';
import { useState } from 'preact/hooks';
import { html } from '/ui/lib/html.js';
import { SlowestTraces } from '/ui/components/slowest-traces.js';
import { TopologyGraph } from '/ui/components/topology-graph.js';

/** The Traces page for the same window, so a panel's graph opens with its table and filters. */
function tracesLink(t, target) {
  const q = new URLSearchParams({ start: new Date(t.start).toISOString(), end: new Date(t.end).toISOString() });
  if (target?.sources) q.set('sources', target.sources.join(','));
  return `/ui/traces?${q}`;
}

function TopologyPanel({ panelId, topology: t, target }) {
  const [selected, setSelected] = useState('');
  const byId = new Map(t.nodes.map((n) => [n.id, n]));
  const edge = t.edges.find((e) => e.id === selected);
  return html`<div class="topology-panel" data-edges=${t.edges.length} data-nodes=${t.nodes.length}>
    ${
      t.edges.length === 0
        ? html`<div class="empty">No calls between services in this range (${t.spans} spans read)</div>`
        : html`<${TopologyGraph} id=${`topology-graph-${panelId}`} nodes=${t.nodes} edges=${t.edges} selected=${selected} withTable=${false}
            onSelect=${(id) => setSelected(id === selected ? '' : id)} />`
    }
    ${t.partial && html`<p class="scope-note topology-partial" role="note">The graph may miss calls: ${(t.warnings ?? []).join('; ') || 'more spans in the range than the topology reads'}.</p>`}
    <p class="muted small legend">${t.edges.length > 0 ? 'Click a call for its slowest traces · ' : ''}<a href=${tracesLink(t, target)}>open in Traces</a></p>
    ${
      edge &&
      html`<${SlowestTraces} edge=${edge} callee=${byId.get(edge.target) ?? { service: edge.target.split('/').pop() }}
        range=${{ startMs: t.start, endMs: t.end }} onClose=${() => setSelected('')} />`
    }
  </div>`;
}

/** panels.js's renderer for `topology`: `data.topology` is the `/v1/topology` answer for the panel's target. */
export function topologyPanel(node, panel, data) {
  const t = data.topology;
  if (!t) {
    node.dataset.points = '0';
    return;
  }
  node.dataset.points = String(t.edges.length);
  const box = document.createElement('div');
  box.className = 'topology-panel-box';
  node.append(box);
  render(html`<${TopologyPanel} panelId=${panel.id} topology=${t} target=${panel.targets?.[0]} />`, box);
}
