"""The Neo4j loader: writes the paper-kg graph into Neo4j 5 over Bolt (questions are asked through
`kg.query.neo4j_backend`; a first load of a large graph can go through `loaders.neo4j_bulk` instead).

`load_into_neo4j` makes the database's :Paper/:Entity graph equal to a NetworkX MultiDiGraph (see
kg/graph.py), writing only what differs:

* constraints first: unique ``Paper.id`` and ``Entity.id`` (the NetworkX node id), lookup indexes on
  ``Paper.paper_id`` / ``Paper.title_key`` / ``Entity.type`` and full-text indexes over entity names
  and aliases and over paper titles (Neo4j 5.26 full-text indexes take LIST<STRING> properties);
* nodes, relationships and properties as `loaders.neo4j_records` describes them, each with its
  content hash ``kg_hash``;
* the loader reads the ids, element ids and hashes the database holds, then deletes the relationships
  and nodes the graph no longer has, creates the new ones (CREATE: they are known to be missing) and
  rewrites those whose hash changed. A new relationship finds its ends by element id (read, or
  returned when the node was created), not through the id index: the relationship phase of a warm
  load of 172,619 relationships took 3.3-3.6 s instead of 5.0-6.8 s. Loading twice writes nothing, a
  build that changed a few papers writes those papers' nodes and relationships, and a load cut off by
  a dropped connection completes when re-run.

Rows are sent as ``UNWIND $rows`` batches of positional lists (properties equal on a whole group go
once as ``$const``), one query per (operation, labels or relationship type, end labels), in managed
write transactions (one per batch; the driver retries transient failures), `workers` at a time.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

import networkx as nx

from kg.collector import collector_paused
from kg.model import ENTITY, PAPER, RELATION_TYPES
from kg.neo4j_driver import DEFAULT_RETRY_SECONDS, ENTITY_FULLTEXT_INDEX, PAPER_FULLTEXT_INDEX, connect, driver_error
from loaders.neo4j_records import (
    HASH_PROPERTY,
    TYPE_LABEL_SET,
    NodeRecord,
    RelationshipRecord,
    node_records,
    relationship_records,
)

DEFAULT_BATCH_SIZE = 10_000
DEFAULT_WORKERS = 2
SCHEMA: tuple[str, ...] = (
    "CREATE CONSTRAINT paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX paper_paper_id IF NOT EXISTS FOR (n:Paper) ON (n.paper_id)",
    "CREATE INDEX paper_title_key IF NOT EXISTS FOR (n:Paper) ON (n.title_key)",
    "CREATE INDEX entity_type IF NOT EXISTS FOR (n:Entity) ON (n.type)",
    f"CREATE FULLTEXT INDEX {ENTITY_FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Entity) ON EACH [n.name, n.aliases]",
    f"CREATE FULLTEXT INDEX {PAPER_FULLTEXT_INDEX} IF NOT EXISTS FOR (n:Paper) ON EACH [n.title]",
)
KIND_LABELS = (PAPER, ENTITY)


@dataclass
class LoadSummary:
    """What one `load_into_neo4j` call did. `nodes` and `relationships` count the graph (what the
    database holds after the load); the other counters what was written."""

    nodes: int
    relationships: int
    seconds: float = 0.0
    nodes_created: int = 0
    nodes_updated: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_updated: int = 0
    relationships_deleted: int = 0
    nodes_by_label: dict[str, int] = field(default_factory=dict)  # nodes created or updated per label set
    relationships_by_type: dict[str, int] = field(default_factory=dict)  # created or updated per type
    wiped_nodes: int = 0
    node_seconds: float = 0.0  # writing nodes alone (after wipe, schema, reading and deleting)
    relationship_seconds: float = 0.0  # writing relationships alone

    @property
    def nodes_written(self) -> int:
        return self.nodes_created + self.nodes_updated

    @property
    def relationships_written(self) -> int:
        return self.relationships_created + self.relationships_updated

    @property
    def rows_per_second(self) -> float:
        """Nodes and relationships written per second of the whole load."""
        rows = self.nodes_written + self.relationships_written
        return rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def relationships_per_second(self) -> float:
        """Relationships written per second of the relationship phase."""
        seconds = self.relationship_seconds
        return self.relationships_written / seconds if seconds > 0 else 0.0


# --------------------------------------------------------------------------- what the database holds


@dataclass
class StoredGraph:
    """The ids, element ids and hashes of the :Paper/:Entity graph in the database."""

    nodes: dict[str, tuple[str, int | None, str]]  # id -> (Paper or Entity, kg_hash, elementId)
    relationships: dict[tuple[str, str, str], int | None]  # (start id, type, end id) -> kg_hash


def read_stored_graph(session) -> StoredGraph:
    """One record per node with its outgoing relationships in a list (a third of the time of one
    record per relationship)."""
    nodes: dict[str, tuple[str, int | None, str]] = {}
    relationships: dict[tuple[str, str, str], int | None] = {}
    for node, is_paper, node_hash, element, outgoing in session.run(
            f"MATCH (n) WHERE n:{PAPER} OR n:{ENTITY} "
            f"RETURN n.id, n:{PAPER}, n.{HASH_PROPERTY}, elementId(n), "
            f"[(n)-[r:{'|'.join(RELATION_TYPES)}]->(b) WHERE b:{PAPER} OR b:{ENTITY} "
            f"| [type(r), b.id, r.{HASH_PROPERTY}]]"):
        nodes[node] = (PAPER if is_paper else ENTITY, node_hash, element)
        for rel, end, rel_hash in outgoing:
            relationships[node, rel, end] = rel_hash
    return StoredGraph(nodes, relationships)


@dataclass
class LoadPlan:
    """What to write to make the stored graph equal to the graph's records."""

    new_nodes: list[NodeRecord]
    changed_nodes: list[tuple[str, NodeRecord]]  # (stored kind label, record)
    vanished_nodes: list[tuple[str, str]]  # (stored kind label, id)
    new_relationships: list[RelationshipRecord]
    changed_relationships: list[RelationshipRecord]
    vanished_relationships: list[tuple[str, str, str, str, str]]  # (start kind, start, type, end kind, end)

    @classmethod
    def compare(cls, nodes: list[NodeRecord], relationships: list[RelationshipRecord],
                stored: StoredGraph) -> LoadPlan:
        stored_nodes = stored.nodes
        new_nodes, changed_nodes = [], []
        for record in nodes:
            kind_and_hash = stored_nodes.get(record.id)
            if kind_and_hash is None:
                new_nodes.append(record)
            elif kind_and_hash[1] != record.hash:
                changed_nodes.append((kind_and_hash[0], record))
        stored_rels = stored.relationships
        new_rels, changed_rels = [], []
        for record in relationships:
            key = record.key
            if key not in stored_rels:
                new_rels.append(record)
            elif stored_rels[key] != record.hash:
                changed_rels.append(record)
        graph_nodes = {record.id for record in nodes}
        graph_rels = {record.key for record in relationships}
        vanished_nodes = [(kind, node) for node, (kind, *_) in stored_nodes.items() if node not in graph_nodes]
        vanished_rels = [(stored_nodes[start][0], start, rel, stored_nodes[end][0], end)
                         for start, rel, end in stored_rels if (start, rel, end) not in graph_rels]
        return cls(new_nodes, changed_nodes, vanished_nodes, new_rels, changed_rels, vanished_rels)


# --------------------------------------------------------------------------- queries


def _cypher_name(name: str) -> str:
    """A property key as a Cypher identifier (backquoted; a backquote in it doubled)."""
    return "`" + name.replace("`", "``") + "`"


@dataclass
class _Layout:
    """How one group's rows are sent: properties equal on every member go once as `$const`, the
    others as positional columns of each row (a list is much cheaper to pack than a map)."""

    const: dict[str, Any]
    columns: list[str]

    @classmethod
    def of(cls, property_maps: Iterable[dict[str, Any]]) -> _Layout:
        count = 0
        first: dict[str, Any] = {}  # key -> first value, in order of first appearance
        seen: dict[str, int] = {}  # key -> number of maps holding it
        same: set[str] = set()  # keys of the first map whose scalar value has not changed so far
        for properties in property_maps:
            count += 1
            for key, value in properties.items():
                if key not in seen:
                    first[key], seen[key] = value, 1
                    if count == 1 and type(value) in (str, int, float, bool):
                        same.add(key)
                    continue
                seen[key] += 1
                if key in same and (type(value) is not type(first[key]) or value != first[key]):
                    same.discard(key)
        const = {key: first[key] for key in first if key in same and seen[key] == count}
        return cls(const=const, columns=[key for key in first if key not in const])

    def assignments(self, first_column: int) -> str:
        """The entries of a property map literal: constants from $const, the rest from row[i]."""
        parts = [f"{_cypher_name(k)}: $const[{json.dumps(k)}]" for k in self.const]
        parts += [f"{_cypher_name(k)}: row[{i}]" for i, k in enumerate(self.columns, first_column)]
        return ", ".join(parts)

    def values(self, properties: dict[str, Any]) -> list:
        return [properties.get(k) for k in self.columns]


def _node_map(layout: _Layout) -> str:
    """`{id: row[0], kg_hash: row[1], ...}`: a node row is [id, hash, *columns]."""
    assignments = layout.assignments(2)
    return f"{{id: row[0], {HASH_PROPERTY}: row[1]{', ' + assignments if assignments else ''}}}"


def _relationship_map(layout: _Layout) -> str:
    """`{kg_hash: row[2], ...}`: a relationship row is [start, end, hash, *columns]."""
    assignments = layout.assignments(3)
    return f"{{{HASH_PROPERTY}: row[2]{', ' + assignments if assignments else ''}}}"


def _create_nodes_query(labels: tuple[str, ...], layout: _Layout) -> str:
    return f"UNWIND $rows AS row CREATE (n:{':'.join(labels)} {_node_map(layout)}) RETURN row[0], elementId(n)"


def _update_nodes_query(stored_kind: str, labels: tuple[str, ...], layout: _Layout) -> str:
    stale = sorted((set(KIND_LABELS) | TYPE_LABEL_SET) - set(labels))
    return (f"UNWIND $rows AS row MATCH (n:{stored_kind} {{id: row[0]}}) SET n = {_node_map(layout)} "
            f"REMOVE n:{':'.join(stale)} SET n:{':'.join(labels)}")


def _create_relationships_query(layout: _Layout, rel: str) -> str:
    """Rows hold the element ids of the ends."""
    return (f"UNWIND $rows AS row MATCH (a) WHERE elementId(a) = row[0] MATCH (b) WHERE elementId(b) = row[1] "
            f"CREATE (a)-[:{rel} {_relationship_map(layout)}]->(b)")


def _update_relationships_query(layout: _Layout, rel: str, start: str, end: str) -> str:
    return (f"UNWIND $rows AS row MATCH (a:{start} {{id: row[0]}})-[r:{rel}]->(b:{end} {{id: row[1]}}) "
            f"SET r = {_relationship_map(layout)}")


def _chunks(items: list, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _grouped(items: Iterable, key: Callable) -> dict:
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return dict(sorted(groups.items()))


# --------------------------------------------------------------------------- batches


@dataclass
class _Batch:
    """One write transaction: `rows` for `query`."""

    what: str  # "new :Entity:Model nodes", "changed :USES relationships"
    counter: str  # the LoadSummary field it adds to: nodes_created, relationships_deleted, ...
    key: str  # the label set or relationship type, for the summary
    query: str
    rows: list[list]
    const: dict = field(default_factory=dict)
    returned: list[list] = field(default_factory=list)  # the query's result rows, once written


def _deletions(plan: LoadPlan, batch_size: int) -> Iterator[_Batch]:
    for (start, rel, end), group in _grouped(plan.vanished_relationships, lambda r: (r[0], r[2], r[3])).items():
        query = (f"UNWIND $rows AS row MATCH (a:{start} {{id: row[0]}})-[r:{rel}]->(b:{end} {{id: row[1]}}) "
                 "DELETE r")
        for chunk in _chunks(group, batch_size):
            yield _Batch(f"vanished :{rel} relationships", "relationships_deleted", rel, query,
                         [[s, e] for _, s, _, _, e in chunk])
    for kind, group in _grouped(plan.vanished_nodes, lambda n: n[0]).items():
        query = f"UNWIND $rows AS row MATCH (n:{kind} {{id: row[0]}}) DETACH DELETE n"
        for chunk in _chunks(group, batch_size):
            yield _Batch(f"vanished :{kind} nodes", "nodes_deleted", kind, query, [[node] for _, node in chunk])


def _node_writes(plan: LoadPlan, batch_size: int) -> Iterator[_Batch]:
    groups = [(labels, "nodes_created", _create_nodes_query, (labels,), members)
              for labels, members in _grouped(plan.new_nodes, lambda r: r.labels).items()]
    groups += [(labels, "nodes_updated", _update_nodes_query, (kind, labels), [r for _, r in members])
               for (kind, labels), members in _grouped(plan.changed_nodes, lambda c: (c[0], c[1].labels)).items()]
    for labels, counter, make_query, query_args, members in groups:
        label = ":".join(labels)
        layout = _Layout.of(r.properties for r in members)
        query = make_query(*query_args, layout)
        what = f"{'new' if counter == 'nodes_created' else 'changed'} :{label} nodes"
        for chunk in _chunks(members, batch_size):
            rows = [[r.id, r.hash, *layout.values(r.properties)] for r in chunk]
            yield _Batch(what, counter, label, query, rows, layout.const)


def _relationship_writes(plan: LoadPlan, batch_size: int, element_ids: dict[str, str]) -> Iterator[_Batch]:
    """New relationships address their ends by element id (`element_ids`: node id -> element id, complete
    once the nodes are written), changed ones by their ends' ids."""
    new = [(r, element_ids[r.start], element_ids[r.end]) for r in plan.new_relationships]
    changed = [(r, r.start, r.end) for r in plan.changed_relationships]
    for items, counter, make_query, group_key in (
            (new, "relationships_created", _create_relationships_query, lambda item: (item[0].type,)),
            (changed, "relationships_updated", _update_relationships_query,
             lambda item: (item[0].type, item[0].start_kind, item[0].end_kind))):
        for key, members in _grouped(items, group_key).items():
            layout = _Layout.of(r.properties for r, _, _ in members)
            query = make_query(layout, *key)
            what = f"{'new' if counter == 'relationships_created' else 'changed'} :{key[0]} relationships"
            for chunk in _chunks(members, batch_size):
                rows = [[start, end, r.hash, *layout.values(r.properties)] for r, start, end in chunk]
                yield _Batch(what, counter, key[0], query, rows, layout.const)


# --------------------------------------------------------------------------- load


def ensure_schema(session) -> None:
    """Constraints and indexes (idempotent), then wait until they are online."""
    for statement in SCHEMA:
        session.run(statement).consume()
    session.run("CALL db.awaitIndexes(600)").consume()


def wipe_graph(session, batch_size: int = DEFAULT_BATCH_SIZE) -> int:
    """Delete every :Paper and :Entity node with its relationships, in batches; returns nodes deleted."""
    result = session.run(
        "MATCH (n) WHERE n:Paper OR n:Entity "
        "CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF $size ROWS",
        size=max(1, min(batch_size, 10_000)))
    return result.consume().counters.nodes_deleted


class _Rows(list):
    """A batch's rows with a short repr: the driver formats every RUN's parameters for its debug log
    even when that log is off (about 0.5 s of client CPU in a load of 144,024 relationships)."""

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def _write_batch(tx, query: str, rows: list[list], const: dict) -> list[list]:
    return [record.values() for record in tx.run(query, rows=_Rows(rows), const=const)]


class _BatchFailed(Exception):
    def __init__(self, batch: _Batch, error: BaseException) -> None:
        super().__init__(str(error))
        self.batch, self.error = batch, error


def _write(driver, database: str, batch: _Batch) -> None:
    try:
        with driver.session(database=database) as session:
            batch.returned = session.execute_write(_write_batch, batch.query, batch.rows, batch.const)
    except Exception as exc:
        raise _BatchFailed(batch, exc) from exc


def _run_batches(driver, database: str, batches: Iterable[_Batch], workers: int) -> Iterator[_Batch]:
    """Write the batches, `workers` transactions at a time; yields each batch once written, in order.

    The first failure is raised (after the batches already running have ended)."""
    if workers <= 1:
        for batch in batches:
            _write(driver, database, batch)
            yield batch
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neo4j-load") as pool:
        pending: deque[tuple[Future, _Batch]] = deque()
        try:
            for batch in batches:
                if len(pending) >= workers:
                    wait([f for f, _ in pending], return_when=FIRST_COMPLETED)
                    while pending and pending[0][0].done():
                        future, done_batch = pending.popleft()
                        future.result()
                        yield done_batch
                pending.append((pool.submit(_write, driver, database, batch), batch))
            while pending:
                future, done_batch = pending.popleft()
                future.result()
                yield done_batch
        finally:
            for future, _ in pending:
                future.cancel()


@collector_paused()
def load_into_neo4j(graph: nx.MultiDiGraph, uri: str, user: str, password: str, database: str = "neo4j",
                    batch_size: int = DEFAULT_BATCH_SIZE, wipe: bool = False,
                    on_progress: Callable[[int, int, str], None] | None = None,
                    *, workers: int = DEFAULT_WORKERS, retry_seconds: float = DEFAULT_RETRY_SECONDS) -> LoadSummary:
    """Make the database's :Paper/:Entity graph equal to `graph`, writing only what differs (see the
    module docstring).

    `on_progress(done, total, what)` is called after every batch with the rows written so far
    (deletions included), the total and a short description. `wipe=True` first deletes every :Paper
    and :Entity node. `workers` transactions run at a time (deletions, then nodes, then
    relationships; a deadlock between them is a transient error the driver retries). Raises
    Neo4jError with one clear line on any failure.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    nodes, relationships = node_records(graph), relationship_records(graph)
    summary = LoadSummary(nodes=len(nodes), relationships=len(relationships))
    done = total = 0
    doing = "while connecting"
    driver = connect(uri, user, password, retry_seconds)
    try:
        with driver.session(database=database) as session:
            if wipe:
                doing = "while wiping the database"
                summary.wiped_nodes = wipe_graph(session, batch_size)
            doing = "while creating constraints and indexes"
            ensure_schema(session)
            doing = "while reading what the database holds"
            stored = read_stored_graph(session)
            plan = LoadPlan.compare(nodes, relationships, stored)
        element_ids = {node: element for node, (_, _, element) in stored.nodes.items()}
        total = (len(plan.vanished_relationships) + len(plan.vanished_nodes) + len(plan.new_nodes)
                 + len(plan.changed_nodes) + len(plan.new_relationships) + len(plan.changed_relationships))
        for phase, batches in ((None, _deletions(plan, batch_size)),
                               ("node_seconds", _node_writes(plan, batch_size)),
                               ("relationship_seconds", _relationship_writes(plan, batch_size, element_ids))):
            phase_started = time.perf_counter()
            for batch in _run_batches(driver, database, batches, workers):
                setattr(summary, batch.counter, getattr(summary, batch.counter) + len(batch.rows))
                if batch.counter == "nodes_created":
                    element_ids.update(batch.returned)
                if batch.counter in ("nodes_created", "nodes_updated"):
                    summary.nodes_by_label[batch.key] = summary.nodes_by_label.get(batch.key, 0) + len(batch.rows)
                elif batch.counter in ("relationships_created", "relationships_updated"):
                    by_type = summary.relationships_by_type
                    by_type[batch.key] = by_type.get(batch.key, 0) + len(batch.rows)
                done += len(batch.rows)
                if on_progress:
                    on_progress(done, total, batch.what)
            if phase:
                setattr(summary, phase, time.perf_counter() - phase_started)
    except _BatchFailed as failed:
        doing = f"while writing {failed.batch.what} ({done:,} of {total:,} rows written)"
        raise driver_error(failed.error, uri, user, doing) from failed.error
    except Exception as exc:
        raise driver_error(exc, uri, user, doing) from exc
    finally:
        driver.close()
    summary.seconds = time.perf_counter() - started
    return summary
