"""The Neo4j loader and query backend against a real Neo4j (fixture `neo4j_server` in conftest.py).

Every answer of queries/*.cypher must equal the NetworkX backend's (kg/query/networkx_backend.py) on the seed graph.
These tests fail, never skip, when no server can be started (unless PAPER_KG_SKIP_NEO4J=1).
"""

from __future__ import annotations

import re
import socket
import threading
from collections import Counter
from importlib import resources

import networkx as nx
import pytest

from kg import errors
from kg.errors import Neo4jError
from kg.model import ENTITY, PAPER, RELATION_ROLES, SHARES_ENTITIES, TYPE_LABELS, VARIANT_OF
from kg.query import networkx_backend as nxq
from kg.query.neo4j_backend import QUERY_NAMES, Neo4jQueries, read_query
from loaders.neo4j import load_into_neo4j
from loaders.neo4j_bulk import bulk_load
from loaders.neo4j_records import HASH_PROPERTY, property_value

QUERY_FILES = resources.files("queries")  # the installed package's *.cypher files

pytestmark = pytest.mark.neo4j

NASTY_TITLE = "x'\"\\ }) DETACH DELETE n //"
NASTY_TITLE_2 = "Robert'); MATCH (n) DETACH DELETE n; // \\\\ `backticks` $param {x}"


# --------------------------------------------------------------------------- helpers


def load(server, graph, **kwargs):
    return load_into_neo4j(graph, server.uri, server.user, server.password, **kwargs)


def cypher(server, query: str, **params) -> list[dict]:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        records, _, _ = driver.execute_query(query, params)
        return [r.data() for r in records]


def db_counts(server) -> tuple[Counter, Counter]:
    """(node count per label set, relationship count per type) of the :Paper/:Entity graph."""
    labels = Counter({":".join(sorted(r["labels"])): r["n"] for r in cypher(
        server, "MATCH (n) WHERE n:Paper OR n:Entity RETURN labels(n) AS labels, count(*) AS n")})
    rels = Counter({r["type"]: r["n"]
                    for r in cypher(server, "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n")})
    return labels, rels


def nx_counts(graph: nx.MultiDiGraph) -> tuple[Counter, Counter]:
    labels = Counter(":".join(sorted([PAPER] if d["kind"] == PAPER else [ENTITY, TYPE_LABELS[d["type"]]]))
                     for _, d in graph.nodes(data=True))
    rels = Counter(k for _, _, k in graph.edges(keys=True))
    return labels, rels


def by_id_order(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The same graph with nodes inserted in id order: kg.query's "did you mean" lists depend on
    node order when two entities share an alias; Neo4j iterates entities by id."""
    out = nx.MultiDiGraph()
    out.add_nodes_from(sorted(graph.nodes(data=True)))
    out.add_edges_from(graph.edges(keys=True, data=True))
    return out


def answer(backend, name: str, *args):
    """Rows, or ("NotFound", message, suggestions)."""
    try:
        return backend(name, *args)
    except errors.NotFound as exc:
        return ("NotFound", str(exc), exc.suggestions)


def assert_same(graph, queries: Neo4jQueries, name: str, *args) -> object:
    expected = answer(lambda n, *a: getattr(nxq, n)(graph, *a), name, *args)
    actual = answer(lambda n, *a: getattr(queries, n)(*a), name, *args)
    assert actual == expected, f"{name}{args}"
    return expected


def entity_nodes(graph) -> list[tuple[str, dict]]:
    return sorted((n, d) for n, d in graph.nodes(data=True) if d["kind"] == ENTITY)


def paper_nodes(graph) -> list[tuple[str, dict]]:
    return sorted((n, d) for n, d in graph.nodes(data=True) if d["kind"] == PAPER)


def role_degree(graph, node) -> int:
    return sum(1 for *_, k in graph.in_edges(node, keys=True) if k in RELATION_ROLES) + \
        sum(1 for *_, k in graph.out_edges(node, keys=True) if k in RELATION_ROLES)


def top_entities_by_papers(graph, n: int) -> list[dict]:
    return [d for _, d in sorted(entity_nodes(graph), key=lambda item: (-item[1]["paper_count"], item[0]))[:n]]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def seed(seed_graph) -> nx.MultiDiGraph:
    return by_id_order(seed_graph)


@pytest.fixture(scope="module")
def loaded(neo4j_server, seed):
    """The seed graph loaded into a wiped database (tests that change it restore it)."""
    return load(neo4j_server, seed, wipe=True)


@pytest.fixture
def queries(neo4j_server, loaded):
    with Neo4jQueries(neo4j_server.uri, neo4j_server.user, neo4j_server.password) as q:
        yield q


@pytest.fixture
def restore_seed(neo4j_server, seed, loaded):
    """For tests that change the database: reload exactly the seed graph afterwards."""
    yield
    load(neo4j_server, seed, wipe=True)


# --------------------------------------------------------------------------- loading


def test_counts_equal_networkx(neo4j_server, seed, loaded):
    labels, rels = nx_counts(seed)
    assert db_counts(neo4j_server) == (labels, rels)
    assert loaded.nodes == seed.number_of_nodes() and loaded.relationships == seed.number_of_edges()
    assert loaded.nodes_created == seed.number_of_nodes()
    assert loaded.relationships_created == seed.number_of_edges()
    assert loaded.rows_per_second > 0


def test_properties_labels_and_relationships_as_in_networkx(neo4j_server, seed, loaded):
    """Every attribute is a property, but `kind` and `rel`: the label and the type say them."""
    stored = {r["id"]: r for r in cypher(neo4j_server, "MATCH (n) RETURN n.id AS id, labels(n) AS labels, "
                                                       "properties(n) AS props")}
    assert len(stored) == seed.number_of_nodes()
    for node, data in seed.nodes(data=True):
        expected = {k: property_value(v) for k, v in data.items() if v is not None and k != "kind"} | {"id": node}
        assert isinstance(stored[node]["props"].pop(HASH_PROPERTY), int)
        assert stored[node]["props"] == expected
        want = {PAPER} if data["kind"] == PAPER else {ENTITY, TYPE_LABELS[data["type"]]}
        assert set(stored[node]["labels"]) == want
    rels = {(r["a"], r["type"], r["b"]): r["props"] for r in cypher(
        neo4j_server, "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props")}
    assert len(rels) == seed.number_of_edges()
    for u, v, key, data in seed.edges(keys=True, data=True):
        assert isinstance(rels[u, key, v].pop(HASH_PROPERTY), int)
        assert rels[u, key, v] == {k: property_value(x) for k, x in data.items() if x is not None and k != "rel"}
    role = next(d for *_, k, d in seed.edges(keys=True, data=True) if k in RELATION_ROLES)
    assert role["sentence"] and role["rule"]  # the evidence is there to be compared


def test_schema_constraints_and_fulltext_index(neo4j_server, seed, loaded):
    constraints = cypher(neo4j_server, "SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type")
    unique = {(c["labelsOrTypes"][0], c["properties"][0]) for c in constraints if "UNIQUE" in c["type"]}
    assert {("Paper", "id"), ("Entity", "id")} <= unique
    entity = next(d for _, d in entity_nodes(seed) if len(d["aliases"]) > 1 and d["name"].isalnum())
    hits = cypher(neo4j_server, "CALL db.index.fulltext.queryNodes('entity_names', $q) YIELD node "
                                "RETURN node.name AS name", q=entity["name"])
    assert entity["name"] in {h["name"] for h in hits}


def test_second_load_changes_nothing(neo4j_server, seed, loaded):
    before = db_counts(neo4j_server)
    again = load(neo4j_server, seed)
    assert (again.nodes_created, again.relationships_created) == (0, 0)
    assert db_counts(neo4j_server) == before == nx_counts(seed)


def test_bigger_corpus_after_smaller_only_adds(neo4j_server, seed, restore_seed):
    papers = [n for n, _ in paper_nodes(seed)]
    half = set(papers[: len(papers) // 2])
    keep = half | {e for p in half for e in seed.successors(p) if seed.nodes[e]["kind"] == ENTITY}
    small = seed.subgraph(keep).copy()
    load(neo4j_server, small, wipe=True)
    assert db_counts(neo4j_server) == nx_counts(small)
    summary = load(neo4j_server, seed)
    assert summary.nodes_created == seed.number_of_nodes() - small.number_of_nodes()
    assert summary.relationships_created == seed.number_of_edges() - small.number_of_edges()
    assert db_counts(neo4j_server) == nx_counts(seed)


def db_contents(server) -> tuple[dict, dict]:
    """Every :Paper/:Entity node (id -> labels, properties) and relationship ((start, type, end) -> properties)."""
    nodes = {r["id"]: (sorted(r["labels"]), r["props"]) for r in cypher(
        server, "MATCH (n) WHERE n:Paper OR n:Entity RETURN n.id AS id, labels(n) AS labels, properties(n) AS props")}
    rels = {(r["a"], r["type"], r["b"]): r["props"] for r in cypher(
        server, "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS type, b.id AS b, properties(r) AS props")}
    return nodes, rels


def changed_copy(seed: nx.MultiDiGraph) -> tuple[nx.MultiDiGraph, int]:
    """The seed graph with one paper removed, one paper retitled, one relationship changed, and two papers,
    one entity and four relationships added; also returns the removed paper's relationship count."""
    graph = seed.copy()
    papers = [n for n, _ in paper_nodes(seed)]
    removed = min(papers, key=lambda p: (seed.degree(p), p))
    removed_edges = seed.degree(removed)
    graph.remove_node(removed)
    retitled = next(p for p in papers if p != removed)
    graph.nodes[retitled]["title"] += " (revised)"
    u, v, key, data = next((u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True) if k in RELATION_ROLES)
    data["confidence"] = data["confidence"] / 2
    entity = next(n for n, _ in entity_nodes(seed) if n in graph)
    for paper in ("paper:new-1", "paper:new-2"):
        pid = paper.removeprefix("paper:")
        graph.add_node(paper, kind=PAPER, paper_id=pid, title=f"New {pid}", title_key=f"new{pid}", abstract="",
                       year=2026, authors=["A. Author"], url="", sources=["new.jsonl:1"])
    graph.add_node("entity:newthing", kind=ENTITY, name="NewThing", type="method", aliases=["NewThing"],
                   keys=["newthing"], paper_count=2)
    role = {"confidence": 0.9, "text": "NewThing", "field": "title", "start_char": 0, "end_char": 8,
            "sentence": "NewThing", "rule": "model", "mention_count": 1}
    graph.add_edge("paper:new-1", "entity:newthing", key="USES", rel="USES", role="uses", **role)
    graph.add_edge("paper:new-2", "entity:newthing", key="MENTIONS", rel="MENTIONS", role="mentions", **role)
    graph.add_edge("paper:new-1", entity, key="USES", rel="USES", role="uses", **role)
    graph.add_edge("paper:new-1", "paper:new-2", key=SHARES_ENTITIES, rel=SHARES_ENTITIES, weight=1.0,
                   entities=["NewThing"])
    return graph, removed_edges


def test_reload_after_a_changed_build_writes_only_the_changes(neo4j_server, seed, loaded, restore_seed):
    changed, removed_edges = changed_copy(seed)
    load(neo4j_server, seed, wipe=True)
    summary = load(neo4j_server, changed)
    assert (summary.nodes_created, summary.nodes_updated, summary.nodes_deleted) == (3, 1, 1)
    assert (summary.relationships_created, summary.relationships_updated) == (4, 1)
    assert summary.relationships_deleted == removed_edges
    assert (summary.nodes, summary.relationships) == (changed.number_of_nodes(), changed.number_of_edges())
    incremental = db_contents(neo4j_server)
    fresh = load(neo4j_server, changed, wipe=True)
    assert fresh.nodes_created == changed.number_of_nodes()
    assert incremental == db_contents(neo4j_server)
    again = load(neo4j_server, changed)
    assert again.nodes_written + again.relationships_written + again.nodes_deleted + again.relationships_deleted == 0


def saved_query_answers(server, graph: nx.MultiDiGraph) -> dict[str, object]:
    """Each file of queries/ asked about the busiest entities and papers of `graph` (and a name it lacks)."""
    entities = [d["name"] for d in top_entities_by_papers(graph, 3)]
    papers = [d["paper_id"] for _, d in sorted(paper_nodes(graph), key=lambda item: (-graph.degree(item[0]),
                                                                                          item[0]))[:3]]
    builders = sorted(graph.nodes[v]["paper_id"] for _, v, k in graph.edges(keys=True) if k == "BUILDS_ON")[:2]
    asked = {f"papers_using {e}": ("papers_using", e) for e in [*entities, "no such entity"]}
    asked |= {f"paper_entities {p}": ("paper_entities", p) for p in papers}
    asked |= {f"related_papers {p}": ("related_papers", p) for p in papers}
    asked |= {f"papers_building_on {p}": ("papers_building_on", p) for p in builders}
    asked |= {f"cooccurring_entities {e}": ("cooccurring_entities", e) for e in entities}
    asked |= {f"top_entities {t}": ("top_entities", t, 25) for t in (None, *TYPE_LABELS)}
    asked["shortest_connection"] = ("shortest_connection", entities[0], entities[-1])
    with Neo4jQueries(server.uri, server.user, server.password) as q:
        answers = {label: answer(lambda n, *a: getattr(q, n)(*a), *call) for label, call in asked.items()}
        answers["graph_stats"] = q.graph_stats()
    return answers


def test_bulk_import_equals_a_bolt_load(neo4j_server, seed, loaded, restore_seed):
    if neo4j_server.data_dir is None:
        pytest.skip("--bulk needs the local server; NEO4J_URI points at another one")
    load(neo4j_server, seed, wipe=True)
    by_bolt, bolt_answers = db_contents(neo4j_server), saved_query_answers(neo4j_server, seed)
    summary = bulk_load(seed, neo4j_server.uri, neo4j_server.user, neo4j_server.password,
                        data_dir=neo4j_server.data_dir)
    assert (summary.nodes, summary.relationships) == (seed.number_of_nodes(), seed.number_of_edges())
    assert db_counts(neo4j_server) == nx_counts(seed)
    assert db_contents(neo4j_server) == by_bolt  # labels, properties (empty lists, kg_hash) and all
    assert saved_query_answers(neo4j_server, seed) == bolt_answers
    with Neo4jQueries(neo4j_server.uri, neo4j_server.user, neo4j_server.password) as queries:
        assert_same(seed, queries, "papers_using", top_entities_by_papers(seed, 1)[0]["name"])
    constraints = cypher(neo4j_server, "SHOW CONSTRAINTS YIELD labelsOrTypes, properties")
    assert {("Paper", "id"), ("Entity", "id")} <= {(c["labelsOrTypes"][0], c["properties"][0]) for c in constraints}
    again = load(neo4j_server, seed)
    assert again.nodes_written + again.relationships_written + again.nodes_deleted + again.relationships_deleted == 0


def test_bulk_refuses_a_remote_server_in_one_line(neo4j_server, seed):
    from loaders.neo4j_server import server_status

    local = server_status(neo4j_server.data_dir)
    if local is None:
        pytest.skip("--bulk needs the local server; NEO4J_URI points at another one")
    with pytest.raises(Neo4jError) as failure:
        bulk_load(seed, "bolt://db.example.org:7687", "neo4j", "pw", data_dir=neo4j_server.data_dir)
    assert str(failure.value) == (f"--bulk needs the local server started by `kg neo4j start` ({local.uri}), "
                                  "not bolt://db.example.org:7687; load that server without --bulk")
    from typer.testing import CliRunner

    from kg.cli import app

    refused = CliRunner().invoke(app, ["load", "neo4j", "--bulk", "--yes", "--uri", "bolt://db.example.org:7687",
                                       "--data", str(neo4j_server.data_dir)])
    assert refused.exit_code == 1
    assert refused.output.strip().splitlines() == [f"error: {failure.value}"]


def test_graph_stats_equal_networkx(seed, queries):
    assert queries.graph_stats() == nxq.graph_stats(seed)


# --------------------------------------------------------------------------- queries


def test_every_query_file_is_a_backend_method():
    files = {p.name.removesuffix(".cypher") for p in QUERY_FILES.iterdir() if p.name.endswith(".cypher")}
    assert files == set(QUERY_NAMES)
    for name in QUERY_NAMES:
        text = read_query(name)
        assert text.startswith("//"), name
        assert re.search(r"^// :param \w+ => ", text, re.MULTILINE), name
        assert hasattr(Neo4jQueries, name) and hasattr(nxq, name)


def test_queries_run_the_files_verbatim(queries):
    for name in QUERY_NAMES:
        assert queries.queries[name] == QUERY_FILES.joinpath(f"{name}.cypher").read_text(encoding="utf-8")


def test_papers_using(seed, queries):
    top = top_entities_by_papers(seed, 6)
    families = [seed.nodes[f] for _, f, k in seed.edges(keys=True) if k == VARIANT_OF][:3]
    assert families, "the seed graph should have VARIANT_OF edges"
    for entity in [*top, *families]:
        rows = assert_same(seed, queries, "papers_using", entity["name"])
        assert rows
        assert_same(seed, queries, "papers_using", entity["name"], entity["type"])
    # case-insensitive alias lookup: an alias that differs from the name, in upper and in odd case
    with_alias = [d for _, d in entity_nodes(seed)
                  if any(a.casefold() != d["name"].casefold() and a.isascii() for a in d["aliases"])]
    assert with_alias, "the seed graph should have entities with aliases"
    for entity in with_alias[:5]:
        alias = next(a for a in entity["aliases"] if a.casefold() != entity["name"].casefold() and a.isascii())
        assert_same(seed, queries, "papers_using", alias.upper())
        assert_same(seed, queries, "papers_using", alias.swapcase() + " ")
    # a type filter that excludes the entity, and names that match nothing
    entity = top[0]
    other_type = next(t for t in TYPE_LABELS if t != entity["type"])
    assert_same(seed, queries, "papers_using", entity["name"], other_type)
    for bogus in ("no such entity at all", entity["name"] + "x", "!!!"):
        assert assert_same(seed, queries, "papers_using", bogus)[0] == "NotFound"


def test_paper_entities(seed, queries):
    papers = sorted(paper_nodes(seed), key=lambda item: (-role_degree(seed, item[0]), item[0]))[:5]
    for _, data in papers:
        rows = assert_same(seed, queries, "paper_entities", data["paper_id"])
        assert rows
        assert_same(seed, queries, "paper_entities", data["title"])
        assert_same(seed, queries, "paper_entities", data["title"].upper() + " ?!")
    assert assert_same(seed, queries, "paper_entities", "A paper nobody wrote")[0] == "NotFound"


def test_top_entities(seed, queries):
    for entity_type in (None, *TYPE_LABELS):
        for limit in (0, 3, 20, 10_000):
            assert_same(seed, queries, "top_entities", entity_type, limit)
    assert len(queries.top_entities(None, 10_000)) == len(entity_nodes(seed))


def has_related(graph, node) -> bool:
    return any(k == SHARES_ENTITIES for *_, k in [*graph.in_edges(node, keys=True), *graph.out_edges(node, keys=True)])


def test_related_papers(seed, queries):
    papers = [(n, d) for n, d in sorted(paper_nodes(seed), key=lambda item: (-seed.degree(item[0]), item[0]))
              if has_related(seed, n)][:6]
    assert papers
    for _, data in papers:
        rows = assert_same(seed, queries, "related_papers", data["paper_id"])
        assert rows
        assert_same(seed, queries, "related_papers", data["title"].lower(), 3)
    assert assert_same(seed, queries, "related_papers", "no such paper")[0] == "NotFound"


def test_cooccurring_entities(seed, queries):
    for entity in top_entities_by_papers(seed, 6):
        rows = assert_same(seed, queries, "cooccurring_entities", entity["name"])
        assert rows
        assert_same(seed, queries, "cooccurring_entities", entity["name"].lower(), 3)
    assert assert_same(seed, queries, "cooccurring_entities", "qwertyuiop")[0] == "NotFound"


def test_papers_building_on(seed, queries):
    proposers = sorted({b for _, b, k in seed.edges(keys=True) if k == "BUILDS_ON"})
    assert proposers, "the seed graph should have BUILDS_ON edges"
    for node in proposers[:6]:
        data = seed.nodes[node]
        assert assert_same(seed, queries, "papers_building_on", data["paper_id"])
        assert_same(seed, queries, "papers_building_on", data["title"])
    lonely = next(d for n, d in paper_nodes(seed) if n not in proposers)
    assert assert_same(seed, queries, "papers_building_on", lonely["paper_id"]) == []
    assert assert_same(seed, queries, "papers_building_on", "no such paper")[0] == "NotFound"


def test_shortest_connection(seed, queries):
    top = [d["name"] for d in top_entities_by_papers(seed, 5)]
    pairs = [(a, b) for i, a in enumerate(top) for b in top[i + 1:]]
    # an entity only reachable through a few papers, and one in another component if there is one
    view = nx.Graph((a, b) for a, b, k in seed.edges(keys=True) if k in RELATION_ROLES)
    components = sorted(nx.connected_components(view), key=len, reverse=True)
    main_entities = sorted(n for n in components[0] if seed.nodes[n]["kind"] == ENTITY)
    pairs.append((top[0], seed.nodes[main_entities[-1]]["name"]))
    if len(components) > 1:
        stray = next(n for c in components[1:] for n in sorted(c) if seed.nodes[n]["kind"] == ENTITY)
        pairs.append((top[0], seed.nodes[stray]["name"].upper()))
    found = 0
    for a, b in pairs:
        rows = assert_same(seed, queries, "shortest_connection", a, b)
        found += bool(rows)
        assert_same(seed, queries, "shortest_connection", b, a, 2)
    assert found
    assert assert_same(seed, queries, "shortest_connection", top[0], top[0]) == [{"hops": 0, "path": [top[0]]}]
    assert assert_same(seed, queries, "shortest_connection", "no such thing", top[0])[0] == "NotFound"
    assert assert_same(seed, queries, "shortest_connection", top[0], "no such thing")[0] == "NotFound"


def test_not_found_suggests_the_same_names(seed, queries):
    top = top_entities_by_papers(seed, 3)
    for entity in top:
        typo = entity["name"][:-1] + "#" if len(entity["name"]) > 3 else entity["name"] + "zz"
        expected = answer(lambda n, *a: getattr(nxq, n)(seed, *a), "cooccurring_entities", typo)
        if expected[0] != "NotFound":
            continue
        assert answer(lambda n, *a: getattr(queries, n)(*a), "cooccurring_entities", typo) == expected
    title = paper_nodes(seed)[0][1]["title"]
    assert_same(seed, queries, "paper_entities", title[:-3] + "xyz")


def test_suggestions_from_the_fulltext_indexes_on_large_graphs(seed, queries, monkeypatch):
    import kg.query.neo4j_backend

    monkeypatch.setattr(kg.query.neo4j_backend, "SUGGEST_SCAN_LIMIT", 0)  # as if the graph were too big to scan
    entity = next(d for d in top_entities_by_papers(seed, 20) if len(d["name"]) >= 6 and d["name"].isalpha())
    typo = entity["name"][:-1] + "x"
    with pytest.raises(errors.NotFound) as failure:
        queries.papers_using(typo)
    assert entity["name"] in failure.value.suggestions
    title = paper_nodes(seed)[0][1]["title"]
    with pytest.raises(errors.NotFound) as failure:
        queries.paper_entities(title[:-2] + "qq")
    assert title in failure.value.suggestions


# --------------------------------------------------------------------------- hostile data


@pytest.mark.parametrize("title", [NASTY_TITLE, NASTY_TITLE_2])
def test_title_with_quotes_and_backslashes_is_stored_verbatim(neo4j_server, seed, loaded, restore_seed, title):
    from kg.keys import name_key

    graph = seed.copy()
    entity = next(n for n, _ in entity_nodes(seed))
    node = "paper:" + title
    graph.add_node(node, kind=PAPER, paper_id=title, title=title, title_key=name_key(title), abstract=title,
                   authors=[title], url="", sources=[title])
    graph.add_edge(node, entity, key="USES", rel="USES", role="uses", confidence=0.5, text=title, field="title",
                   start_char=0, end_char=len(title), sentence=title, rule="test", mention_count=1)
    load(neo4j_server, graph)
    [row] = cypher(neo4j_server, "MATCH (p:Paper {id: $id}) RETURN p.title AS title, p.paper_id AS paper_id, "
                                 "p.authors AS authors", id=node)
    assert row == {"title": title, "paper_id": title, "authors": [title]}
    assert db_counts(neo4j_server) == nx_counts(graph)  # every other node (and relationship) survived
    with Neo4jQueries(neo4j_server.uri, neo4j_server.user, neo4j_server.password) as q:
        assert q.paper_entities(title) == nxq.paper_entities(graph, title)
        assert_same(graph, q, "papers_using", title)  # a name lookup with the same text works too
        assert_same(graph, q, "related_papers", title)
        rows = q.papers_using(seed.nodes[entity]["name"])
        assert rows == nxq.papers_using(graph, seed.nodes[entity]["name"])
        assert any(r["title"] == title and r["evidence"] == title for r in rows)


def test_wipe_removes_what_the_graph_does_not_have(neo4j_server, seed, loaded, restore_seed):
    graph = seed.copy()
    graph.add_node("paper:extra", kind=PAPER, paper_id="extra", title="Extra", title_key="extra")
    load(neo4j_server, graph)
    assert db_counts(neo4j_server)[0][PAPER] == nx_counts(seed)[0][PAPER] + 1
    summary = load(neo4j_server, seed, wipe=True)
    assert summary.wiped_nodes == graph.number_of_nodes()
    assert db_counts(neo4j_server) == nx_counts(seed)


# --------------------------------------------------------------------------- failures


class CuttableProxy:
    """A TCP proxy to the server that can drop every connection and refuse new ones."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.cut_done = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self.lock:
                if self.cut_done:
                    client.close()
                    upstream.close()
                    return
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        with self.lock:
            self.cut_done = True
            self.listener.close()
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def test_dropped_connection_mid_load_is_clear_and_a_rerun_completes(neo4j_server, seed, loaded, restore_seed):
    port = int(neo4j_server.uri.rsplit(":", 1)[1])
    proxy = CuttableProxy(port)
    uri = f"bolt://127.0.0.1:{proxy.port}"
    total = seed.number_of_nodes() + seed.number_of_edges()
    seen = []

    def progress(done, total_rows, what):
        seen.append(done)
        if done >= total_rows // 3 and not proxy.cut_done:
            proxy.cut()

    with pytest.raises(Neo4jError) as failure:
        load_into_neo4j(seed, uri, neo4j_server.user, neo4j_server.password, wipe=True, batch_size=50,
                   on_progress=progress, retry_seconds=2.0)
    message = str(failure.value)
    assert "\n" not in message
    assert f"lost the connection to Neo4j at {uri}" in message and "re-run" in message, message
    assert seen and seen[-1] < total
    partial = sum(db_counts(neo4j_server)[0].values()) + sum(db_counts(neo4j_server)[1].values())
    assert 0 < partial < total
    again = load(neo4j_server, seed)  # the re-run completes, without duplicates
    assert db_counts(neo4j_server) == nx_counts(seed)
    assert again.nodes_created + again.relationships_created == total - partial


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dead_server_gives_one_clear_line():
    uri = f"bolt://127.0.0.1:{_unused_port()}"
    with pytest.raises(Neo4jError) as failure:
        load_into_neo4j(nx.MultiDiGraph(), uri, "neo4j", "whatever-password")
    assert str(failure.value) == f"cannot reach Neo4j at {uri} (is it running? `kg neo4j start`)"
    with pytest.raises(Neo4jError, match="cannot reach Neo4j at"):
        Neo4jQueries(uri, "neo4j", "whatever-password")


def test_wrong_password_gives_one_clear_line(neo4j_server, seed, loaded):
    # Two failed logins only: the server locks the user for a few seconds after three.
    with pytest.raises(Neo4jError) as failure:
        load_into_neo4j(seed, neo4j_server.uri, neo4j_server.user, "not-the-password")
    message = str(failure.value)
    assert "\n" not in message and message.startswith("wrong Neo4j user or password"), message
    with pytest.raises(Neo4jError, match="wrong Neo4j user or password"):
        Neo4jQueries(neo4j_server.uri, neo4j_server.user, "not-the-password")
    assert db_counts(neo4j_server) == nx_counts(seed)  # nothing was touched


# --------------------------------------------------------------------------- the CLI


def test_cli_loads_and_answers_from_neo4j(neo4j_server, seed_build, seed, restore_seed):
    import json

    from typer.testing import CliRunner

    from kg.cli import app

    runner = CliRunner()
    auth = ["--uri", neo4j_server.uri, "--user", neo4j_server.user, "--password", neo4j_server.password]
    loaded = runner.invoke(app, ["load", "neo4j", str(seed_build.out), *auth, "--wipe", "--yes"])
    assert loaded.exit_code == 0, loaded.output
    assert f"loaded {seed.number_of_nodes():,} nodes and {seed.number_of_edges():,} relationships" in loaded.output
    assert db_counts(neo4j_server) == nx_counts(seed)
    entity = top_entities_by_papers(seed, 1)[0]["name"]
    for args in (["papers-using", entity.lower()], ["entities", "--top", "5"], ["stats"]):
        from_neo4j = runner.invoke(app, [*args, "--neo4j", *auth, "--json"])
        from_files = runner.invoke(app, [*args, "--graph", str(seed_build.out), "--json"])
        assert from_neo4j.exit_code == 0 == from_files.exit_code, from_neo4j.output
        assert json.loads(from_neo4j.output) == json.loads(from_files.output), args
    unknown = runner.invoke(app, ["papers-using", "no such entity at all", "--neo4j", *auth])
    assert unknown.exit_code == 1 and "no such entity at all" in unknown.output
    refused = runner.invoke(app, ["load", "neo4j", str(seed_build.out), *auth, "--wipe"], input="n\n")
    assert refused.exit_code == 1 and "--wipe needs confirmation" in refused.output
    assert db_counts(neo4j_server) == nx_counts(seed)
