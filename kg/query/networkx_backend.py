"""The NetworkX query backend. Every function answers one question with rows (plain dicts) whose keys
and order are exactly those of the matching `queries/*.cypher` file run against Neo4j.

Names are matched on canonical keys (`kg.keys.name_key`) against an entity's name and aliases, so
`bert`, `BERT` and `Bert` are one; papers are matched by id or by normalised title.
"""

from __future__ import annotations

from collections import Counter
from itertools import islice

import networkx as nx

from kg.errors import NotFound
from kg.keys import name_key
from kg.model import BUILDS_ON, ENTITY, PAPER, RELATION_ROLES, SHARES_ENTITIES, VARIANT_OF
from kg.query.suggest import closest_surfaces, closest_titles

ROLE_ORDER = {"proposes": 0, "uses": 1, "mentions": 2}
ROLE_KEYS = frozenset(RELATION_ROLES)


def find_entities(graph: nx.MultiDiGraph, name: str) -> list[str]:
    """Entity node ids whose name or an alias has the same canonical key as `name`."""
    key = name_key(name)
    return sorted(n for n, d in graph.nodes(data=True) if d.get("kind") == ENTITY and key in d.get("keys", ()))


def closest_names(graph: nx.MultiDiGraph, name: str, limit: int = 5) -> list[str]:
    """Entity names (and aliases) most similar to `name`, for 'did you mean' messages."""
    entities = ((d["name"], d.get("aliases", ())) for _, d in graph.nodes(data=True) if d.get("kind") == ENTITY)
    return closest_surfaces(name, entities, limit)


def find_paper(graph: nx.MultiDiGraph, paper: str) -> str:
    """The node id of a paper given its id or title (case and punctuation ignored)."""
    key = name_key(paper)
    for node, data in graph.nodes(data=True):
        if data.get("kind") == PAPER and (data.get("paper_id") == paper or data.get("title_key") == key):
            return node
    titles = (d["title"] for _, d in graph.nodes(data=True) if d.get("kind") == PAPER)
    raise NotFound("paper", paper, closest_titles(paper, titles))


def _role_edges_into(graph: nx.MultiDiGraph, entity: str):
    return ((p, k, d) for p, _, k, d in graph.in_edges(entity, keys=True, data=True) if k in ROLE_KEYS)


def papers_using(graph: nx.MultiDiGraph, name: str, entity_type: str | None = None) -> list[dict]:
    """Papers linked to the entity (or its variants): queries/papers_using.cypher.

    Rows: paper_id, title, year, role, entity, type, evidence, rule, confidence.
    """
    matched = [e for e in find_entities(graph, name) if not entity_type or graph.nodes[e]["type"] == entity_type]
    if not matched:
        raise NotFound("entity", name, closest_names(graph, name))
    entities = set(matched)
    for entity in matched:
        entities.update(v for v, _, k in graph.in_edges(entity, keys=True) if k == VARIANT_OF)
    rows = []
    for entity in entities:
        entity_data = graph.nodes[entity]
        for paper, _, edge in _role_edges_into(graph, entity):
            data = graph.nodes[paper]
            rows.append({"paper_id": data["paper_id"], "title": data["title"], "year": data.get("year"),
                         "role": edge["role"], "entity": entity_data["name"], "type": entity_data["type"],
                         "evidence": edge["sentence"], "rule": edge["rule"], "confidence": edge["confidence"]})
    return sorted(rows, key=lambda r: (ROLE_ORDER[r["role"]], r["title"], r["entity"], r["paper_id"]))


def paper_entities(graph: nx.MultiDiGraph, paper: str) -> list[dict]:
    """What a paper proposes, uses and mentions: queries/paper_entities.cypher.

    Rows: paper_id, title, role, entity, type, evidence.
    """
    node = find_paper(graph, paper)
    data = graph.nodes[node]
    rows = [{"paper_id": data["paper_id"], "title": data["title"], "role": edge["role"],
             "entity": graph.nodes[entity]["name"], "type": graph.nodes[entity]["type"], "evidence": edge["sentence"]}
            for _, entity, key, edge in graph.out_edges(node, keys=True, data=True) if key in ROLE_KEYS]
    return sorted(rows, key=lambda r: (ROLE_ORDER[r["role"]], r["type"], r["entity"]))


def top_entities(graph: nx.MultiDiGraph, entity_type: str | None = None, limit: int = 20) -> list[dict]:
    """Entities by the number of papers linked to them: queries/top_entities.cypher.

    Rows: entity, type, paper_count, aliases.
    """
    rows = [{"entity": d["name"], "type": d["type"], "paper_count": d["paper_count"], "aliases": sorted(d["aliases"])}
            for _, d in graph.nodes(data=True)
            if d.get("kind") == ENTITY and (not entity_type or d["type"] == entity_type)]
    rows.sort(key=lambda r: (-r["paper_count"], r["entity"]))
    return rows[:limit]


def related_papers(graph: nx.MultiDiGraph, paper: str, limit: int = 10) -> list[dict]:
    """Papers sharing the most (rarest) entities with a paper: queries/related_papers.cypher.

    Rows: paper_id, title, weight, shared (entity names, rarest first).
    """
    node = find_paper(graph, paper)
    rows = []
    edges = [*graph.out_edges(node, keys=True, data=True), *graph.in_edges(node, keys=True, data=True)]
    for a, b, key, edge in edges:
        if key == SHARES_ENTITIES:
            other = graph.nodes[b if a == node else a]
            rows.append({"paper_id": other["paper_id"], "title": other["title"], "weight": edge["weight"],
                         "shared": list(edge["entities"])})
    rows.sort(key=lambda r: (-r["weight"], r["title"]))
    return rows[:limit]


def cooccurring_entities(graph: nx.MultiDiGraph, name: str, limit: int = 20) -> list[dict]:
    """Entities appearing in the same papers as X: queries/cooccurring_entities.cypher.

    Rows: entity, type, papers (how many papers have both).
    """
    matched = find_entities(graph, name)
    if not matched:
        raise NotFound("entity", name, closest_names(graph, name))
    papers = {p for entity in matched for p, _, _ in _role_edges_into(graph, entity)}
    counts: Counter = Counter()
    for paper in papers:
        counts.update({e for _, e, k in graph.out_edges(paper, keys=True) if k in ROLE_KEYS} - set(matched))
    rows = [{"entity": graph.nodes[e]["name"], "type": graph.nodes[e]["type"], "papers": n} for e, n in counts.items()]
    rows.sort(key=lambda r: (-r["papers"], r["entity"]))
    return rows[:limit]


def papers_building_on(graph: nx.MultiDiGraph, paper: str) -> list[dict]:
    """Papers that use what the given paper proposes: queries/papers_building_on.cypher.

    Rows: paper_id, title, via (entity names).
    """
    node = find_paper(graph, paper)
    rows = [{"paper_id": graph.nodes[src]["paper_id"], "title": graph.nodes[src]["title"], "via": list(edge["via"])}
            for src, _, key, edge in graph.in_edges(node, keys=True, data=True) if key == BUILDS_ON]
    return sorted(rows, key=lambda r: (r["title"], r["paper_id"]))


def shortest_connection(graph: nx.MultiDiGraph, source: str, target: str, limit: int = 10) -> list[dict]:
    """Shortest chains entity - paper - entity ... linking two entities: queries/shortest_connection.cypher.

    Rows: hops, path (alternating entity names and paper titles); all shortest paths, sorted.
    """
    ends = []
    for name in (source, target):
        matched = find_entities(graph, name)
        if not matched:
            raise NotFound("entity", name, closest_names(graph, name))
        ends.append(matched[0])
    view = nx.Graph()
    view.add_edges_from((a, b) for a, b, k in graph.edges(keys=True) if k in ROLE_KEYS)
    if ends[0] not in view or ends[1] not in view or not nx.has_path(view, *ends):
        return []

    def label(node: str) -> str:
        data = graph.nodes[node]
        return data["name"] if data["kind"] == ENTITY else data["title"]

    paths = [[label(n) for n in path] for path in nx.all_shortest_paths(view, *ends)]
    paths.sort()
    return [{"hops": len(path) - 1, "path": path} for path in islice(paths, limit)]


def graph_stats(graph: nx.MultiDiGraph) -> dict:
    """Node counts by kind and entity type, edge counts by relationship type."""
    nodes = Counter(d.get("kind") for _, d in graph.nodes(data=True))
    types = Counter(d["type"] for _, d in graph.nodes(data=True) if d.get("kind") == ENTITY)
    edges = Counter(k for _, _, k in graph.edges(keys=True))
    return {"papers": nodes[PAPER], "entities": nodes[ENTITY], "entities_by_type": dict(sorted(types.items())),
            "edges_by_type": dict(sorted(edges.items()))}


class GraphQueries:
    """The questions above bound to one NetworkX graph: a `kg.query.QueryBackend`, like
    `kg.query.neo4j_backend.Neo4jQueries`, so the CLI (and the tests) can ask either backend."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph

    def __enter__(self) -> GraphQueries:
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    def papers_using(self, name: str, entity_type: str | None = None) -> list[dict]:
        return papers_using(self.graph, name, entity_type)

    def paper_entities(self, paper: str) -> list[dict]:
        return paper_entities(self.graph, paper)

    def top_entities(self, entity_type: str | None = None, limit: int = 20) -> list[dict]:
        return top_entities(self.graph, entity_type, limit)

    def related_papers(self, paper: str, limit: int = 10) -> list[dict]:
        return related_papers(self.graph, paper, limit)

    def cooccurring_entities(self, name: str, limit: int = 20) -> list[dict]:
        return cooccurring_entities(self.graph, name, limit)

    def papers_building_on(self, paper: str) -> list[dict]:
        return papers_building_on(self.graph, paper)

    def shortest_connection(self, source: str, target: str, limit: int = 10) -> list[dict]:
        return shortest_connection(self.graph, source, target, limit)

    def graph_stats(self) -> dict:
        return graph_stats(self.graph)
