"""Build stage: PaperEntities -> a NetworkX MultiDiGraph of papers and entities.

Nodes carry `kind` (Paper | Entity); edges are keyed by their relationship type and carry `rel`.
Role edges (PROPOSES/USES/MENTIONS) carry their evidence; SHARES_ENTITIES links papers through rare
shared entities (IDF weight); BUILDS_ON links a paper using an entity to the paper proposing it;
VARIANT_OF links a sized/versioned entity to its family.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from itertools import combinations

import networkx as nx

from kg.keys import name_key, paper_node_id
from kg.model import (
    BUILDS_ON,
    ENTITY,
    PAPER,
    ROLE_RELATIONS,
    SHARES_ENTITIES,
    VARIANT_OF,
    PaperEntities,
)

# An entity in more papers than this is too common to say two papers are related (and would make
# SHARES_ENTITIES quadratic in its paper count); it still gets its role edges.
MAX_SHARED_PAPER_COUNT = 50


def build_graph(corpus: Iterable[PaperEntities],
                max_shared_paper_count: int = MAX_SHARED_PAPER_COUNT) -> nx.MultiDiGraph:
    """Link papers through the entities they share; see the module docstring for the schema."""
    corpus = list(corpus)
    graph = nx.MultiDiGraph(name="paper-kg")
    for item in corpus:
        add_paper(graph, item)
    finish_entities(graph)
    add_shared_entity_links(graph, max_shared_paper_count)
    add_builds_on_links(graph)
    return graph


def add_paper(graph: nx.MultiDiGraph, item: PaperEntities) -> None:
    """Add one paper node, its entity nodes and the role edges with their best evidence."""
    paper = item.paper
    pid = paper_node_id(paper.id)
    attrs = {"kind": PAPER, "paper_id": paper.id, "title": paper.title, "title_key": name_key(paper.title),
             "abstract": paper.abstract,
             "authors": list(paper.authors), "url": paper.url, "sources": list(paper.sources)}
    if paper.year is not None:
        attrs["year"] = int(paper.year)
    graph.add_node(pid, **attrs)
    for entity in item.entities:
        if entity.id not in graph:
            graph.add_node(entity.id, kind=ENTITY, name=entity.name, type=entity.type, aliases=[], keys=[])
        node = graph.nodes[entity.id]
        node["aliases"] = sorted(set(node["aliases"]) | set(entity.aliases) | {m.text for m in entity.mentions})
        if entity.family:
            node["family"] = entity.family
        best = entity.evidence
        rel = ROLE_RELATIONS[entity.role]
        graph.add_edge(pid, entity.id, key=rel, rel=rel, role=entity.role, confidence=round(entity.confidence, 3),
                       text=best.text, field=best.field, start_char=best.start, end_char=best.end,
                       sentence=best.sentence, rule=best.rule, mention_count=len(entity.mentions))


def finish_entities(graph: nx.MultiDiGraph) -> None:
    """Set each entity's paper_count and lookup keys, and link variants to families present in the graph."""
    for node, data in list(entity_nodes(graph)):
        data["paper_count"] = sum(1 for p in graph.predecessors(node) if graph.nodes[p]["kind"] == PAPER)
        data["keys"] = sorted({name_key(data["name"]), *(name_key(a) for a in data["aliases"])} - {""})
        family = data.pop("family", None)
        if family and family != node and family in graph:
            graph.add_edge(node, family, key=VARIANT_OF, rel=VARIANT_OF)


def add_shared_entity_links(graph: nx.MultiDiGraph, max_shared_paper_count: int) -> None:
    """SHARES_ENTITIES between every two papers sharing an entity, weighted by summed IDF."""
    papers = [n for n, d in graph.nodes(data=True) if d["kind"] == PAPER]
    if not papers:
        return
    shared: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for entity, data in entity_nodes(graph):
        citing = sorted(p for p in graph.predecessors(entity) if graph.nodes[p]["kind"] == PAPER)
        if not 2 <= len(citing) <= max_shared_paper_count:
            continue
        idf = math.log(len(papers) / len(citing))
        for a, b in combinations(citing, 2):
            shared[a, b].append((idf, data["name"]))
    for (a, b), items in shared.items():
        items.sort(key=lambda item: (-item[0], item[1]))
        graph.add_edge(a, b, key=SHARES_ENTITIES, rel=SHARES_ENTITIES,
                       weight=round(sum(idf for idf, _ in items), 4), entities=[name for _, name in items])


def add_builds_on_links(graph: nx.MultiDiGraph) -> None:
    """BUILDS_ON from a paper that uses an entity to every other paper that proposes it."""
    via: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entity, data in entity_nodes(graph):
        proposers = [p for p, _, k in graph.in_edges(entity, keys=True) if k == ROLE_RELATIONS["proposes"]]
        users = [p for p, _, k in graph.in_edges(entity, keys=True) if k == ROLE_RELATIONS["uses"]]
        for user in users:
            for proposer in proposers:
                if user != proposer:
                    via[user, proposer].append(data["name"])
    for (user, proposer), names in via.items():
        graph.add_edge(user, proposer, key=BUILDS_ON, rel=BUILDS_ON, via=sorted(names))


def entity_nodes(graph: nx.MultiDiGraph) -> Iterable[tuple[str, dict]]:
    """(node id, attributes) of every entity node."""
    return ((n, d) for n, d in graph.nodes(data=True) if d.get("kind") == ENTITY)
