"""The built seed graph: schema, evidence on every edge, and round trips through every file format."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.model import ENTITY_TYPES, RELATION_TYPES, ROLE_RELATIONS
from loaders.files import GRAPH_FILES, read_graph


def test_graph_schema_and_evidence(seed_graph: nx.MultiDiGraph) -> None:
    kinds = {d["kind"] for _, d in seed_graph.nodes(data=True)}
    assert kinds == {"Paper", "Entity"}
    papers = [n for n, d in seed_graph.nodes(data=True) if d["kind"] == "Paper"]
    assert len(papers) == 219
    for node, data in seed_graph.nodes(data=True):
        if data["kind"] == "Entity":
            assert data["type"] in ENTITY_TYPES
            assert data["paper_count"] == len({p for p, _, k in seed_graph.in_edges(node, keys=True)
                                               if k in ROLE_RELATIONS.values()})
            assert data["keys"] and data["aliases"]
    for a, _, key, data in seed_graph.edges(keys=True, data=True):
        assert key == data["rel"] and key in RELATION_TYPES
        if key in ROLE_RELATIONS.values():
            paper = seed_graph.nodes[a]
            text = paper["title"] if data["field"] == "title" else paper["abstract"]
            assert text[data["start_char"]:data["end_char"]] == data["text"]
            assert data["text"] in data["sentence"] and data["rule"] and 0 < data["confidence"] <= 1
    rels = {k for *_, k in seed_graph.edges(keys=True)}
    assert rels == set(RELATION_TYPES)


def test_shared_entity_links_weight_rare_entities_higher(seed_graph: nx.MultiDiGraph) -> None:
    shares = [(a, b, d) for a, b, k, d in seed_graph.edges(keys=True, data=True) if k == "SHARES_ENTITIES"]
    assert shares
    for a, b, data in shares:
        assert a < b and data["weight"] > 0 and data["entities"]
    # One shared rare entity outweighs one shared common entity.
    single = {d["entities"][0]: d["weight"] for _, _, d in shares if len(d["entities"]) == 1}
    counts = {d["name"]: d["paper_count"] for _, d in seed_graph.nodes(data=True) if d["kind"] == "Entity"}
    rare, common = min(single, key=lambda n: counts[n]), max(single, key=lambda n: counts[n])
    assert counts[rare] < counts[common] and single[rare] > single[common]


def test_builds_on_points_from_user_to_proposer(seed_graph: nx.MultiDiGraph) -> None:
    for user, proposer, key, data in seed_graph.edges(keys=True, data=True):
        if key == "BUILDS_ON":
            for name in data["via"]:
                entity = next(n for n, d in seed_graph.nodes(data=True) if d.get("name") == name)
                assert seed_graph.has_edge(user, entity, "USES") and seed_graph.has_edge(proposer, entity, "PROPOSES")


@pytest.mark.parametrize("fmt", sorted(GRAPH_FILES))
def test_files_round_trip_with_attributes_intact(seed_build, fmt: str) -> None:
    original = seed_build.graph
    restored = read_graph(seed_build.out / GRAPH_FILES[fmt])
    assert dict(restored.nodes(data=True)) == dict(original.nodes(data=True))
    assert sorted(restored.edges(keys=True, data=True)) == sorted(original.edges(keys=True, data=True))


def test_files_are_readable_by_plain_networkx(seed_build) -> None:
    graph = nx.read_graphml(seed_build.out / "graph.graphml")
    assert graph.number_of_nodes() == seed_build.graph.number_of_nodes()
    gexf = nx.read_gexf(seed_build.out / "graph.gexf")
    assert gexf.number_of_edges() == seed_build.graph.number_of_edges()


def test_no_temporary_files_left(seed_build) -> None:
    assert sorted(p.name for p in seed_build.out.iterdir()) == sorted([*GRAPH_FILES.values(), "papers.jsonl",
                                                                      "corpus-state.jsonl.gz"])
