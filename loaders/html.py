"""Interactive HTML export: a self-contained, offline vis-network page to explore the graph.

`kg.query.subgraph.select_subgraph` picks what to show and records what it left out; `write_html` lays
the selection out with vis-network.

Nodes and edges are assembled with a pyvis `Network`, but the page comes from the package's own
assets (`loaders/assets/page.html`, `page.css`, `page.js`), not pyvis' template: that one always links
Bootstrap from a CDN and embeds the data unescaped in a <script>. vis-network 9.1.2 is vendored with
its licence in `loaders/assets/vis-network/` and inlined with the page's CSS and JS (the page works with
no network). Every text from the input travels as JSON in a `type="application/json"` block with `<`,
`>`, `&`, U+2028/9 escaped, and the browser builds tooltips and panels from it with `textContent` only
(never innerHTML; an href only after an http(s) check).
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

import networkx as nx

from kg.model import BUILDS_ON, MENTIONS, PAPER, PROPOSES, SHARES_ENTITIES, USES, VARIANT_OF
from kg.query.subgraph import Selection, neighbours, select_subgraph
from loaders.files import atomic_output

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


@cache
def _asset(name: str) -> str:
    """The text of a file in loaders/assets (package data)."""
    return resources.files("loaders").joinpath("assets", name).read_text(encoding="utf-8")


def _vis_assets() -> tuple[str, str]:
    """The vendored vis-network JS and CSS (loaders/assets/vis-network, no CDN)."""
    js, css = _asset("vis-network/vis-network.min.js"), _asset("vis-network/vis-network.css")
    if "</script" in js.lower() or "</style" in css.lower():
        raise RuntimeError("bundled vis-network cannot be inlined safely")
    return js, css


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
    page = Template(_asset("page.html")).substitute(
        title=html.escape(title), vis_css=css, vis_js=js, app_css=_asset("page.css"), app_js=_asset("page.js"),
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
