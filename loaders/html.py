"""Interactive HTML export: a self-contained, offline vis-network page to explore the graph.

`kg.query.subgraph.select_subgraph` picks what to show and records what it left out; `write_html` lays
the selection out with vis-network.

Nodes and edges are assembled with a pyvis `Network`, but the page comes from the template below, not
pyvis' own: that one always links Bootstrap from a CDN and embeds the data unescaped in a <script>.
Here vis-network's JS/CSS are inlined (the page works with no network). Every text from the input travels as JSON in a `type="application/json"` block with `<`,
`>`, `&`, U+2028/9 escaped, and the browser builds tooltips and panels from it with `textContent` only
(never innerHTML; an href only after an http(s) check).
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from string import Template

import networkx as nx

from kg.model import BUILDS_ON, MENTIONS, PAPER, PROPOSES, SHARES_ENTITIES, USES, VARIANT_OF
from kg.query.subgraph import Selection, neighbours, select_subgraph
from loaders.files import atomic_output

VIS_VERSION = "vis-9.1.2"

# Legend and styling: one colour and shape per node kind, one colour/dash per relationship.
NODE_STYLES: dict[str, dict[str, str]] = {
    "paper": {"label": "Paper", "color": "#6b8fbf", "shape": "dot"},
    "model": {"label": "Model", "color": "#e15759", "shape": "diamond"},
    "method": {"label": "Method", "color": "#59a14f", "shape": "triangle"},
    "dataset": {"label": "Dataset", "color": "#f28e2b", "shape": "square"},
    "benchmark": {"label": "Benchmark", "color": "#b07aa1", "shape": "star"},
    "task": {"label": "Task", "color": "#2ba7a0", "shape": "hexagon"},
}
EDGE_STYLES: dict[str, dict] = {
    PROPOSES: {"label": "proposes", "color": "#b2182b", "width": 1.6, "dashes": False, "arrows": True},
    USES: {"label": "uses", "color": "#2166ac", "width": 1.0, "dashes": False, "arrows": True},
    MENTIONS: {"label": "mentions", "color": "#a0a0a0", "width": 0.7, "dashes": False, "arrows": True},
    SHARES_ENTITIES: {"label": "shares entities", "color": "#b8c2cc", "width": 1.0,
                      "dashes": False, "arrows": False},
    BUILDS_ON: {"label": "builds on", "color": "#6a3d9a", "width": 2.0, "dashes": [8, 5], "arrows": True},
    VARIANT_OF: {"label": "variant of", "color": "#8c6d31", "width": 1.5, "dashes": [2, 4], "arrows": True},
}
# How the details panel titles a node's links: (outgoing, incoming).
DIRECTIONS: dict[str, tuple[str, str]] = {
    PROPOSES: ("proposes", "proposed by"), USES: ("uses", "used by"), MENTIONS: ("mentions", "mentioned by"),
    SHARES_ENTITIES: ("shares entities with", "shares entities with"), BUILDS_ON: ("builds on", "built on by"),
    VARIANT_OF: ("variant of", "variants")}
MAX_SHARED_WIDTH = 6.0
SHOW_SHARED_UP_TO = 80  # with more papers, paper-paper links start hidden (toggle in the legend)
STABILIZATION_ITERATIONS = 350
CLIP = {"label": 42, "sentence": 400, "list": 12}

ROLE_RELS = frozenset({PROPOSES, USES, MENTIONS})


@dataclass
class HtmlReport:
    """What `write_html` wrote."""

    path: Path
    nodes: int
    edges: int
    omitted: dict[str, dict[str, int]]
    summary: str


def _kind(data: dict) -> str:
    return "paper" if data.get("kind") == PAPER else data.get("type", "method")


def _clip(text: object, limit: int) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _node_info(node: str, data: dict, shown_degree: int) -> dict:
    """The text fields the page shows for a node (tooltip, details panel, search)."""
    if data.get("kind") == PAPER:
        return {"kind": "paper", "name": data.get("title") or node, "year": data.get("year"),
                "url": data.get("url", ""), "paper_id": data.get("paper_id", ""),
                "authors": list(data.get("authors", []))[: CLIP["list"]],
                "n_authors": len(data.get("authors", []))}
    return {"kind": data.get("type", ""), "name": data.get("name") or node,
            "aliases": [a for a in data.get("aliases", []) if a != data.get("name")][: CLIP["list"]],
            "paper_count": data.get("paper_count", 0), "shown_papers": shown_degree}


def _edge_info(rel: str, data: dict) -> dict:
    info: dict = {"rel": rel}
    if rel in ROLE_RELS:
        info.update(role=data.get("role", rel.lower()), sentence=_clip(data.get("sentence"), CLIP["sentence"]),
                    text=data.get("text", ""), rule=data.get("rule", ""), confidence=data.get("confidence"))
    elif rel == SHARES_ENTITIES:
        info.update(weight=data.get("weight", 0), entities=list(data.get("entities", []))[: CLIP["list"]],
                    n_entities=len(data.get("entities", [])))
    elif rel == BUILDS_ON:
        info.update(via=list(data.get("via", []))[: CLIP["list"]])
    return info


def hidden_relations(selection: Selection) -> set[str]:
    """Relationships drawn hidden at first (legend checkbox off): paper-paper links in big views."""
    return {SHARES_ENTITIES} if selection.papers > SHOW_SHARED_UP_TO else set()


def build_network(selection: Selection):
    """A pyvis Network holding the styled vis-network nodes and edges of the selection."""
    from pyvis.network import Network

    graph = selection.graph
    hidden = hidden_relations(selection)
    net = Network(directed=True, cdn_resources="in_line")
    max_weight = max((d.get("weight", 0) for *_, k, d in graph.edges(keys=True, data=True)
                      if k == SHARES_ENTITIES), default=1) or 1
    for node, data in graph.nodes(data=True):
        kind = _kind(data)
        style = NODE_STYLES.get(kind, NODE_STYLES["method"])
        is_paper = kind == "paper"
        shown = sum(1 for p in neighbours(graph, node) if graph.nodes[p].get("kind") == PAPER)
        entities = sum(1 for _, _, k in graph.out_edges(node, keys=True) if k in ROLE_RELS)
        value = 1 + entities / 4 if is_paper else max(data.get("paper_count", 1), shown)
        colour = style["color"]
        net.add_node(node, label=_clip(data.get("title") if is_paper else data.get("name"), CLIP["label"]) or node,
                     shape=style["shape"], value=max(1, value),
                     color={"background": colour, "border": "#ffffff" if is_paper else _darker(colour),
                            "highlight": {"background": colour, "border": "#000000"},
                            "hover": {"background": colour, "border": "#000000"}},
                     font={"color": "#1f2933", "size": _font_size(is_paper, value)},
                     borderWidth=1 if is_paper else 1.5, kg=_node_info(node, data, shown))
    for index, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
        rel = data.get("rel", key)
        style = EDGE_STYLES.get(rel, EDGE_STYLES[MENTIONS])
        width = style["width"]
        if rel == SHARES_ENTITIES:
            width = round(1 + (MAX_SHARED_WIDTH - 1) * data.get("weight", 0) / max_weight, 2)
        colour = {"color": style["color"], "highlight": style["color"], "hover": style["color"],
                  "opacity": 0.55 if rel == SHARES_ENTITIES else 0.9}
        net.add_edge(u, v, id=f"e{index}", color=colour, width=width, dashes=style["dashes"],
                     arrows={"to": {"enabled": style["arrows"], "scaleFactor": 0.45}},
                     physics=rel != SHARES_ENTITIES, hidden=rel in hidden, kg=_edge_info(rel, data))
    net.options = _vis_options(len(net.nodes))
    return net


def _darker(colour: str, factor: float = 0.6) -> str:
    """A darker shade of a #rrggbb colour, for node borders."""
    return "#" + "".join(f"{round(int(colour[i:i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def _font_size(is_paper: bool, value: float) -> int:
    """Label size in graph units: entity labels grow with their papers.

    Labels under 6px on screen are not drawn, so zoomed out only the hubs are named and zooming in
    reveals the rest (paper titles last)."""
    return 12 if is_paper else round(min(50, 18 + 8 * math.sqrt(value)))


def _vis_options(n_nodes: int) -> dict:
    """vis-network options: forceAtlas2Based with bounded stabilization; the page turns physics off after."""
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= 120},
        "physics": {
            "enabled": True, "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -110, "centralGravity": 0.01, "springLength": 80,
                                 "springConstant": 0.05, "damping": 0.55, "avoidOverlap": 0.6},
            "maxVelocity": 80, "minVelocity": 1.0, "timestep": 0.5,
            "stabilization": {"enabled": True, "iterations": STABILIZATION_ITERATIONS, "updateInterval": 25,
                              "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": n_nodes > 200,
                        "multiselect": False, "navigationButtons": False, "keyboard": False},
        "nodes": {"scaling": {"min": 12, "max": 64, "label": {"enabled": False, "drawThreshold": 6}},
                  "font": {"face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "strokeWidth": 4,
                           "strokeColor": "#ffffff"}},
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 1},
    }


def _script_json(value: object) -> str:
    """JSON safe inside a <script> block: no `</script>`, `<!--`, `&` or line separators survive."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def _vis_assets() -> tuple[str, str]:
    """The vis-network JS and CSS that pyvis ships, read from its package (no CDN)."""
    import pyvis

    root = Path(pyvis.__file__).parent
    for base in (root / "templates" / "lib" / VIS_VERSION, root / "lib" / VIS_VERSION):
        if (base / "vis-network.min.js").exists():
            js = (base / "vis-network.min.js").read_text("utf-8")
            css = (base / "vis-network.css").read_text("utf-8")
            if "</script" in js.lower() or "</style" in css.lower():
                raise RuntimeError("bundled vis-network cannot be inlined safely")
            return js, css
    raise FileNotFoundError(f"vis-network not found in the pyvis package at {root}; reinstall pyvis>=0.3.2")


_SHAPE_SVG = {
    "dot": '<circle cx="8" cy="8" r="6"/>',
    "diamond": '<polygon points="8,1 15,8 8,15 1,8"/>',
    "triangle": '<polygon points="8,1.5 15,14 1,14"/>',
    "square": '<rect x="2" y="2" width="12" height="12"/>',
    "star": '<polygon points="8,1 9.9,6 15,6 10.9,9.2 12.4,14.5 8,11.3 3.6,14.5 5.1,9.2 1,6 6.1,6"/>',
    "hexagon": '<polygon points="4.5,2 11.5,2 15,8 11.5,14 4.5,14 1,8"/>',
}


def _legend_html(selection: Selection) -> str:
    """Static legend rows with show/hide checkboxes; only constants and counts go in here."""
    kinds = Counter(_kind(d) for _, d in selection.graph.nodes(data=True))
    rels = Counter(k for *_, k in selection.graph.edges(keys=True))
    hidden = hidden_relations(selection)
    rows = ['<div class="lg-title">Nodes</div>']
    for kind, style in NODE_STYLES.items():
        svg = (f'<svg width="16" height="16" viewBox="0 0 16 16" fill="{style["color"]}" '
               f'stroke="{_darker(style["color"])}" stroke-width="1">{_SHAPE_SVG[style["shape"]]}</svg>')
        rows.append(f'<label class="lg-row"><input type="checkbox" checked data-kind="{kind}">{svg}'
                    f'<span>{html.escape(style["label"])}</span><span class="lg-n">{kinds.get(kind, 0)}</span></label>')
    rows.append('<div class="lg-title">Edges</div>')
    for rel, style in EDGE_STYLES.items():
        dash = f' stroke-dasharray="{" ".join(map(str, style["dashes"]))}"' if style["dashes"] else ""
        svg = (f'<svg width="22" height="10" viewBox="0 0 22 10"><line x1="1" y1="5" x2="21" y2="5" '
               f'stroke="{style["color"]}" stroke-width="{max(2.0, style["width"])}"{dash}/></svg>')
        checked = "" if rel in hidden else " checked"
        rows.append(f'<label class="lg-row"><input type="checkbox"{checked} data-rel="{rel}">{svg}'
                    f'<span>{html.escape(style["label"])}</span><span class="lg-n">{rels.get(rel, 0)}</span></label>')
    rows.append('<div class="lg-hint">Size: papers per entity, entities per paper; paper–paper line width: '
                'shared-entity weight. Hover for details; click a node to highlight its neighbours, the '
                'background to reset; tick boxes to show or hide.</div>')
    return "\n".join(rows)


def render_html(selection: Selection, title: str = "paper-kg graph") -> tuple[str, int, int]:
    """The complete page for a selection, with its vis node and edge counts."""
    net = build_network(selection)
    js, css = _vis_assets()
    data = {"nodes": net.nodes, "edges": net.edges, "options": net.options, "focus": selection.focus,
            "styles": {k: {"label": s["label"], "color": s["color"]} for k, s in NODE_STYLES.items()},
            "rels": {k: s["label"] for k, s in EDGE_STYLES.items()}, "directions": DIRECTIONS}
    omitted = selection.summary() if selection.omitted else ""
    page = _PAGE.substitute(
        title=html.escape(title), vis_css=css, vis_js=js, app_css=_APP_CSS, app_js=_APP_JS,
        data=_script_json(data), legend=_legend_html(selection),
        counts=html.escape(f"{selection.papers} papers · {selection.entities} entities · {len(net.edges)} links"),
        omitted=html.escape(omitted), omitted_hidden="" if omitted else " hidden")
    return page, len(net.nodes), len(net.edges)


def write_html(graph_or_selection: nx.MultiDiGraph | Selection, path: Path | str,
               title: str = "paper-kg graph") -> HtmlReport:
    """Write the interactive page atomically; a bare graph goes through `select_subgraph` defaults first."""
    selection = (graph_or_selection if isinstance(graph_or_selection, Selection)
                 else select_subgraph(graph_or_selection))
    page, nodes, edges = render_html(selection, title)
    path = Path(path)
    with atomic_output(path) as handle:
        handle.write(page)
    return HtmlReport(path=path, nodes=nodes, edges=edges, omitted=selection.omitted,
                      summary=selection.summary())


_APP_CSS = """
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2933; background: #fafbfc; }
body { display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 14px; padding: 8px 14px; background: #fff;
  border-bottom: 1px solid #dde3ea; flex-wrap: wrap; }
header h1 { font-size: 17px; margin: 0; font-weight: 600; }
#kg-counts { color: #52606d; font-size: 13px; }
#kg-search { width: 320px; padding: 6px 10px; border: 1px solid #b8c2cc; border-radius: 6px; font-size: 14px; }
#kg-search-msg { color: #b2182b; font-size: 13px; }
#kg-omitted { padding: 6px 14px; background: #fff8e1; border-bottom: 1px solid #f0d98c; font-size: 13px; }
main { position: relative; flex: 1; min-height: 0; }
#kg-network { position: absolute; inset: 0; }
#kg-legend { position: absolute; top: 10px; left: 10px; background: rgba(255,255,255,.94); border: 1px solid #dde3ea;
  border-radius: 8px; padding: 8px 10px; font-size: 13px; box-shadow: 0 1px 4px rgba(0,0,0,.08); max-width: 230px; }
.lg-title { font-weight: 600; margin: 4px 0 2px; }
.lg-row { display: flex; align-items: center; gap: 6px; cursor: pointer; white-space: nowrap; }
.lg-row input { margin: 0; }
.lg-n { margin-left: auto; color: #7b8794; padding-left: 8px; }
.lg-hint { color: #7b8794; font-size: 12px; margin-top: 6px; white-space: normal; }
#kg-details { position: absolute; top: 10px; right: 10px; width: 340px; max-height: calc(100% - 20px); overflow: auto;
  background: #fff; border: 1px solid #dde3ea; border-radius: 8px; padding: 10px 12px; box-shadow: 0 2px 8px rgba(0,0,0,.12); }
#kg-details h2 { font-size: 15px; margin: 0 24px 4px 0; overflow-wrap: anywhere; }
#kg-details .meta { color: #52606d; font-size: 13px; margin-bottom: 6px; overflow-wrap: anywhere; }
#kg-details ul { list-style: none; padding: 0; margin: 2px 0 8px; }
#kg-details li { margin: 2px 0; }
#kg-details li button { background: none; border: 0; padding: 0; color: #2166ac; cursor: pointer; text-align: left;
  font: inherit; overflow-wrap: anywhere; }
#kg-details li button:hover { text-decoration: underline; }
#kg-details .close { position: absolute; top: 6px; right: 8px; border: 0; background: none; font-size: 18px; cursor: pointer; }
#kg-loading { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  background: rgba(250,251,252,.85); font-size: 15px; color: #52606d; }
[hidden] { display: none !important; }
div.vis-tooltip { white-space: normal; max-width: 420px; font: 13px/1.4 system-ui, sans-serif; background: #fff;
  border: 1px solid #b8c2cc; border-radius: 6px; box-shadow: 0 2px 8px rgba(0,0,0,.15); color: #1f2933; padding: 6px 8px; }
.tt-title { font-weight: 600; overflow-wrap: anywhere; }
.tt-sub { color: #52606d; overflow-wrap: anywhere; }
.tt-quote { font-style: italic; margin-top: 3px; overflow-wrap: anywhere; }
"""

# Client code. Every string from the data reaches the DOM through textContent or an attribute set by
# property (href only after an http(s) check); nothing is parsed as HTML.
_APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var byId = function (id) { return document.getElementById(id); };
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function safeUrl(url) { return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null; }
  function kindLabel(kind) { return (data.styles[kind] || {label: kind}).label; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many || one + "s"); }

  function nodeTooltip(info) {
    var box = el("div");
    box.appendChild(el("div", info.name, "tt-title"));
    if (info.kind === "paper") {
      var bits = [info.year ? String(info.year) : "year unknown"];
      if (info.authors && info.authors.length) {
        bits.push(info.authors.slice(0, 3).join(", ") + (info.n_authors > 3 ? " et al." : ""));
      }
      box.appendChild(el("div", "Paper · " + bits.join(" · "), "tt-sub"));
      if (safeUrl(info.url)) box.appendChild(el("div", info.url, "tt-sub"));
    } else {
      box.appendChild(el("div", kindLabel(info.kind) + " · " + plural(info.paper_count, "paper"), "tt-sub"));
      if (info.aliases && info.aliases.length) {
        box.appendChild(el("div", "Also: " + info.aliases.join(", "), "tt-sub"));
      }
    }
    return box;
  }
  function edgeText(info) {
    if (info.role) return [info.role + (info.text ? " “" + info.text + "”" : ""), info.sentence];
    if (info.entities) {
      var head = "shares " + plural(info.n_entities, "entity", "entities") + " (weight " + info.weight + ")";
      return [head, info.entities.join(", ")];
    }
    if (info.via) return ["builds on, via", info.via.join(", ")];
    return [data.rels[info.rel] || info.rel, ""];
  }
  function edgeTooltip(info) {
    var box = el("div"), t = edgeText(info);
    box.appendChild(el("div", t[0], "tt-title"));
    if (t[1]) box.appendChild(el("div", t[1], "tt-quote"));
    return box;
  }

  var baseNode = {}, baseEdge = {};
  data.nodes.forEach(function (n) {
    n.title = nodeTooltip(n.kg);
    baseNode[n.id] = {color: n.color, font: n.font};
  });
  data.edges.forEach(function (e) { e.title = edgeTooltip(e.kg); baseEdge[e.id] = {color: e.color}; });
  var nodes = new vis.DataSet(data.nodes), edges = new vis.DataSet(data.edges);
  var network = new vis.Network(byId("kg-network"), {nodes: nodes, edges: edges}, data.options);
  var kg = window.kg = {network: network, nodes: nodes, edges: edges, ready: false, selected: null};

  function finish() {
    if (kg.ready) return;
    network.stopSimulation();
    network.setOptions({physics: {enabled: false}});
    byId("kg-loading").hidden = true;
    kg.ready = true;
    document.body.setAttribute("data-ready", "true");
    if (data.focus.length && nodes.get(data.focus[0])) {  // focus view: select it, keep the whole picture
      network.selectNodes([data.focus[0]]); highlight(data.focus[0]); details(data.focus[0]);
    }
  }
  network.on("stabilizationProgress", function (p) {
    byId("kg-loading").textContent = "Laying out the graph… " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", finish);
  if (!data.nodes.length) finish();
  setTimeout(finish, 20000);

  var DIM_NODE = {background: "#e4e7eb", border: "#d3d8de"}, DIM_TEXT = "rgba(31,41,51,0.25)";
  var DIM_EDGE = {color: "#e4e7eb", opacity: 0.35};
  function highlight(id) {
    var near = new Set(network.getConnectedNodes(id)); near.add(id);
    var nearEdges = new Set(network.getConnectedEdges(id));
    nodes.update(nodes.getIds().map(function (n) {
      if (near.has(n)) return {id: n, color: baseNode[n].color, font: baseNode[n].font};
      return {id: n, color: DIM_NODE, font: {color: DIM_TEXT, size: baseNode[n].font.size}};
    }));
    edges.update(edges.getIds().map(function (e) {
      return {id: e, color: nearEdges.has(e) ? baseEdge[e].color : DIM_EDGE};
    }));
    kg.selected = id;
  }
  function reset() {
    if (kg.selected === null) return;
    nodes.update(nodes.getIds().map(function (n) {
      return {id: n, color: baseNode[n].color, font: baseNode[n].font};
    }));
    edges.update(edges.getIds().map(function (e) { return {id: e, color: baseEdge[e].color}; }));
    kg.selected = null;
    byId("kg-details").hidden = true;
  }

  function details(id) {
    var node = nodes.get(id), info = node.kg, panel = byId("kg-details");
    panel.replaceChildren();
    var close = el("button", "×", "close");
    close.title = "Close";
    close.onclick = function () { network.unselectAll(); reset(); };
    panel.appendChild(close);
    panel.appendChild(el("h2", info.name));
    if (info.kind === "paper") {
      panel.appendChild(el("div", "Paper" + (info.year ? " · " + info.year : "") +
        (info.paper_id ? " · id " + info.paper_id : ""), "meta"));
      if (info.authors && info.authors.length) {
        panel.appendChild(el("div", info.authors.join(", ") +
          (info.n_authors > info.authors.length ? " et al." : ""), "meta"));
      }
      var url = safeUrl(info.url);
      if (url) {
        var a = el("a", url);
        a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
        panel.appendChild(a);
      }
    } else {
      panel.appendChild(el("div", kindLabel(info.kind) + " · " + plural(info.paper_count, "paper") +
        (info.shown_papers < info.paper_count ? " (" + info.shown_papers + " shown)" : ""), "meta"));
      if (info.aliases && info.aliases.length) {
        panel.appendChild(el("div", "Also: " + info.aliases.join(", "), "meta"));
      }
    }
    var groups = {};
    network.getConnectedEdges(id).forEach(function (eid) {
      var e = edges.get(eid), out = e.from === id, names = data.directions[e.kg.rel] || [e.kg.rel, e.kg.rel];
      var head = out ? names[0] : names[1];
      (groups[head] = groups[head] || []).push({id: out ? e.to : e.from, note: edgeText(e.kg)[1]});
    });
    Object.keys(groups).sort().forEach(function (head) {
      panel.appendChild(el("div", head + " (" + groups[head].length + ")", "tt-title"));
      var ul = el("ul");
      groups[head].forEach(function (item) {
        var li = el("li"), b = el("button", nodes.get(item.id).kg.name);
        if (item.note) b.title = item.note;
        b.onclick = function () { focusNode(item.id, true); };
        li.appendChild(b); ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
    panel.hidden = false;
  }
  function focusNode(id, animate) {
    network.selectNodes([id]);
    highlight(id);
    details(id);
    var animation = animate === false ? false : {duration: 450, easingFunction: "easeInOutQuad"};
    network.focus(id, {scale: Math.max(network.getScale(), 0.9), animation: animation});
  }
  kg.focusNode = focusNode;
  network.on("click", function (params) {
    if (params.nodes.length) { highlight(params.nodes[0]); details(params.nodes[0]); }
    else if (!params.edges.length) reset();
  });

  // Search: a datalist of names; exact name or alias first, then the first name containing the text.
  var names = [], exact = new Map(), seen = new Map();
  data.nodes.slice().sort(function (a, b) {
    return (b.kg.kind !== "paper") - (a.kg.kind !== "paper") ||
      (b.kg.paper_count || 0) - (a.kg.paper_count || 0) || a.kg.name.localeCompare(b.kg.name);
  }).forEach(function (n) {
    var name = n.kg.name;
    if (seen.has(name.toLowerCase())) name = name + " (" + kindLabel(n.kg.kind) + ")";
    seen.set(name.toLowerCase(), n.id);
    names.push([name, n.id]);
    exact.set(name.toLowerCase(), n.id);
  });
  data.nodes.forEach(function (n) {
    (n.kg.aliases || []).forEach(function (a) {
      if (!exact.has(a.toLowerCase())) exact.set(a.toLowerCase(), n.id);
    });
  });
  var list = byId("kg-names");
  names.forEach(function (pair) {
    var option = document.createElement("option");
    option.value = pair[0];  // a property, not markup
    list.appendChild(option);
  });
  function find(text) {
    var q = text.trim().toLowerCase();
    if (!q) return null;
    if (exact.has(q)) return exact.get(q);
    for (var i = 0; i < names.length; i++) if (names[i][0].toLowerCase().indexOf(q) >= 0) return names[i][1];
    return null;
  }
  var search = byId("kg-search"), msg = byId("kg-search-msg");
  function go(strict) {
    var q = search.value.trim().toLowerCase();
    var id = strict ? (exact.has(q) ? exact.get(q) : null) : find(search.value);
    msg.textContent = !strict && search.value.trim() && id === null ? "No match" : "";
    if (id !== null && (!strict || id !== kg.selected)) focusNode(id, true);
  }
  // Picking from the datalist or typing an exact name fires "input"; Enter also takes partial names.
  search.addEventListener("input", function () { go(true); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); go(false); }
  });

  // Legend checkboxes show/hide a node kind or a relationship.
  document.querySelectorAll("#kg-legend input[type=checkbox]").forEach(function (box) {
    box.addEventListener("change", function () {
      var kind = box.getAttribute("data-kind"), rel = box.getAttribute("data-rel");
      var set = kind ? nodes : edges;
      set.update(set.get({filter: function (item) { return kind ? item.kg.kind === kind : item.kg.rel === rel; }})
        .map(function (item) { return {id: item.id, hidden: !box.checked}; }));
    });
  });
})();
"""

_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<link rel="icon" href="data:,">
<style>$vis_css</style>
<style>$app_css</style>
<script>$vis_js</script>
</head>
<body>
<header>
  <h1>$title</h1>
  <span id="kg-counts">$counts</span>
  <input id="kg-search" list="kg-names" type="search" placeholder="Search papers and entities…"
         autocomplete="off" aria-label="Search">
  <datalist id="kg-names"></datalist>
  <span id="kg-search-msg" role="status"></span>
</header>
<div id="kg-omitted" role="note"$omitted_hidden>$omitted</div>
<main>
  <div id="kg-network"></div>
  <div id="kg-legend">$legend</div>
  <aside id="kg-details" hidden></aside>
  <div id="kg-loading">Laying out the graph…</div>
</main>
<script type="application/json" id="kg-data">$data</script>
<script>$app_js</script>
</body>
</html>
""")
