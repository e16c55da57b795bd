"""Subgraph selection for the HTML view: what to draw around a focus, within types, a paper-count
floor and a node budget, and what was left out (and why) so the page and the console can say so."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import networkx as nx

from kg.errors import NotFound
from kg.model import ENTITY, ENTITY_TYPES, PAPER, SHARES_ENTITIES, VARIANT_OF
from kg.query.networkx_backend import closest_names, find_entities, find_paper

SHARED_LINKS = 3  # strongest SHARES_ENTITIES links kept per paper


@dataclass
class Selection:
    """The subgraph to draw and what was left out of it.

    `omitted` maps a human-readable reason to {"papers": n, "entities": n, "links": n} in the order the
    filters ran; `left_out_top` names the most connected entities the node budget dropped.
    """

    graph: nx.MultiDiGraph
    focus: list[str] = field(default_factory=list)
    total_papers: int = 0
    total_entities: int = 0
    omitted: dict[str, dict[str, int]] = field(default_factory=dict)
    left_out_top: list[str] = field(default_factory=list)

    @property
    def papers(self) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d.get("kind") == PAPER)

    @property
    def entities(self) -> int:
        return sum(1 for _, d in self.graph.nodes(data=True) if d.get("kind") == ENTITY)

    @property
    def papers_omitted(self) -> int:
        return sum(c["papers"] for c in self.omitted.values())

    @property
    def entities_omitted(self) -> int:
        return sum(c["entities"] for c in self.omitted.values())

    @property
    def links_omitted(self) -> int:
        return sum(c["links"] for c in self.omitted.values())

    def summary(self) -> str:
        """One line for the console and the page: what is shown and what was left out, and why."""
        if not self.omitted:
            return f"Showing all {self.papers} papers and {self.entities} entities."
        reasons = "; ".join(f"{reason}: " + ", ".join(f"{n} {what}" for what, n in counts.items() if n)
                            for reason, counts in self.omitted.items())
        text = (f"Showing {self.papers} of {self.total_papers} papers and {self.entities} of "
                f"{self.total_entities} entities. Left out {self.papers_omitted} papers, "
                f"{self.entities_omitted} entities and {self.links_omitted} paper-paper links ({reasons}).")
        if self.left_out_top:
            text += f" Most connected left out: {', '.join(self.left_out_top)}."
        return text


def _count(graph: nx.MultiDiGraph, nodes: Iterable[str]) -> dict[str, int]:
    kinds = Counter(graph.nodes[n].get("kind") for n in nodes)
    return {"papers": kinds[PAPER], "entities": kinds[ENTITY], "links": 0}


def neighbours(graph: nx.MultiDiGraph, node: str) -> set[str]:
    return set(graph.successors(node)) | set(graph.predecessors(node))


def resolve_focus(graph: nx.MultiDiGraph, focus: str) -> list[str]:
    """Node ids for an entity name/alias (plus its variants), a node id, or a paper id/title.

    Raises `NotFound` (with the closest entity names and titles) when nothing matches.
    """
    entities = find_entities(graph, focus)
    if entities:
        variants = {v for e in entities for v, _, k in graph.in_edges(e, keys=True) if k == VARIANT_OF}
        return [*entities, *sorted(variants - set(entities))]
    if focus in graph:
        return [focus]
    try:
        return [find_paper(graph, focus)]
    except NotFound as exc:
        suggestions = list(dict.fromkeys([*closest_names(graph, focus), *exc.suggestions]))
        raise NotFound("entity or paper", focus, suggestions) from None


def select_subgraph(graph: nx.MultiDiGraph, focus: str | None = None, depth: int = 1,
                    types: set[str] | None = None, min_papers: int = 1, max_nodes: int = 300,
                    shared_links: int | None = SHARED_LINKS) -> Selection:
    """Choose what to draw, in this order, counting what each step leaves out.

    1. `focus` (entity name/alias or paper id/title): only nodes within `depth` hops of it (any edge);
    2. `types`: only entities of these types (papers always stay);
    3. `min_papers`: only entities linked to at least that many papers;
    4. `max_nodes`: above the budget, keep the most connected entities (by papers in the selection) with
       their most connected papers until the budget is used up; papers with no kept entity go;
    5. `shared_links`: each paper keeps only its strongest SHARES_ENTITIES links (None keeps all), as
       every paper pair sharing an entity has one and they would bury the picture.
    Focus nodes survive every filter. Raises `NotFound` for an unknown focus, ValueError for bad limits.
    """
    if types and not set(types) <= set(ENTITY_TYPES):
        raise ValueError(f"unknown entity type(s) {sorted(set(types) - set(ENTITY_TYPES))}; "
                         f"choose from {', '.join(ENTITY_TYPES)}")
    if depth < 0 or max_nodes < 1:
        raise ValueError("depth must be >= 0 and max_nodes >= 1")
    totals = _count(graph, graph.nodes)
    omitted: dict[str, dict[str, int]] = {}
    focus_nodes = resolve_focus(graph, focus) if focus else []
    keep = set(graph.nodes)

    def is_entity(node: str) -> bool:
        return graph.nodes[node].get("kind") == ENTITY

    def drop(reason: str, nodes: set[str]) -> None:
        nonlocal keep
        nodes -= set(focus_nodes)
        if nodes:
            omitted[reason] = _count(graph, nodes)
            keep -= nodes

    if focus_nodes:
        reached, frontier = set(focus_nodes), set(focus_nodes)
        for _ in range(depth):
            frontier = {m for n in frontier for m in neighbours(graph, n)} - reached
            reached |= frontier
        drop(f"more than {depth} hop{'s' if depth != 1 else ''} from {focus!r}", keep - reached)
    if types:
        drop(f"type not {'/'.join(sorted(types))}",
             {n for n in keep if is_entity(n) and graph.nodes[n].get("type") not in types})
    if min_papers > 1:
        drop(f"in fewer than {min_papers} papers",
             {n for n in keep if is_entity(n) and graph.nodes[n].get("paper_count", 0) < min_papers})
    left_out_top: list[str] = []
    if len(keep) > max_nodes:
        kept, left_out_top = _trim(graph, keep, focus_nodes, max_nodes)
        drop(f"over max_nodes={max_nodes}, keeping the most connected entities", keep - kept)
    sub = graph.subgraph(keep).copy()
    if shared_links is not None:
        weak = _weak_shared_links(sub, shared_links)
        if weak:
            sub.remove_edges_from(weak)
            omitted[f"beyond each paper's {shared_links} strongest shared-entity links"] = {
                "papers": 0, "entities": 0, "links": len(weak)}
    return Selection(graph=sub, focus=focus_nodes, total_papers=totals["papers"],
                     total_entities=totals["entities"], omitted=omitted, left_out_top=left_out_top)


def _trim(graph: nx.MultiDiGraph, candidates: set[str], focus: list[str],
          max_nodes: int) -> tuple[set[str], list[str]]:
    """Greedy budget fill: focus nodes, then entities by papers in `candidates`, each with its papers.

    Returns the kept nodes and the names of the best-ranked entities that did not fit.
    """
    papers_of = {n: sorted((p for p in neighbours(graph, n)
                            if p in candidates and graph.nodes[p].get("kind") == PAPER),
                           key=lambda p: (-graph.degree(p), p))
                 for n in candidates if graph.nodes[n].get("kind") == ENTITY}
    near_focus = {m for f in focus for m in neighbours(graph, f)}
    ranked = sorted(papers_of, key=lambda e: (e not in focus, e not in near_focus, -len(papers_of[e]),
                                              -graph.nodes[e].get("paper_count", 0),
                                              graph.nodes[e].get("name", e)))
    kept = set(focus)
    for entity in ranked:
        room = max_nodes - len(kept)
        new = [p for p in papers_of[entity] if p not in kept]
        if entity in kept or room <= 0 or (new and room == 1 and len(new) == len(papers_of[entity])):
            continue  # with room for the entity alone it would float unconnected
        kept.add(entity)
        kept.update(new[:room - 1])
    left_out = [graph.nodes[e].get("name", e) for e in ranked if e not in kept][:8]
    return kept, left_out


def _weak_shared_links(graph: nx.MultiDiGraph, per_paper: int) -> list[tuple[str, str, str]]:
    """SHARES_ENTITIES edges that are not among the `per_paper` heaviest of either of their papers."""
    by_paper: dict[str, list[tuple[float, str, tuple[str, str, str]]]] = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        if key == SHARES_ENTITIES:
            for end, other in ((u, v), (v, u)):
                by_paper.setdefault(end, []).append((-data.get("weight", 0), other, (u, v, key)))
    strong = {edge for links in by_paper.values() for *_, edge in sorted(links)[:per_paper]}
    return sorted({edge for links in by_paper.values() for *_, edge in links} - strong)
