"""The Neo4j loader: writes the paper-kg graph into Neo4j 5 (questions are asked through
`kg.query.neo4j_backend`).

`load_into_neo4j` copies a NetworkX MultiDiGraph (see kg/graph.py) into Neo4j:

* constraints first: unique ``Paper.id`` and ``Entity.id`` (the NetworkX node id), lookup indexes on
  ``Paper.paper_id`` / ``Paper.title_key`` and a full-text index ``entity_names`` over entity names
  and aliases (Neo4j 5.26 full-text indexes take LIST<STRING> properties);
* nodes get ``:Paper``, or ``:Entity`` plus the type label (``:Model``, ``:Method``, ``:Dataset``,
  ``:Benchmark``, ``:Task``) and every NetworkX attribute as a property (lists as Neo4j lists,
  ``None`` omitted);
* relationships keep their NetworkX key as type (PROPOSES, USES, MENTIONS, SHARES_ENTITIES,
  BUILDS_ON, VARIANT_OF) and every attribute, evidence included.

Rows are sent as ``UNWIND $rows ... MERGE`` batches in managed write transactions (one transaction
per batch; the driver retries transient failures), nodes grouped per label set and relationships
per (type, endpoint labels). MERGE on the id constraint and on (start, type, end) makes a load
idempotent: loading twice leaves the same nodes and relationships, loading a bigger corpus after a
smaller one only adds, and re-running after a failure completes without duplicates.
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

from kg.errors import Neo4jError
from kg.model import ENTITY, PAPER, RELATION_TYPES, TYPE_LABELS
from kg.neo4j_driver import DEFAULT_RETRY_SECONDS, ENTITY_FULLTEXT_INDEX, PAPER_FULLTEXT_INDEX, connect, driver_error

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
TYPE_LABEL_SET = frozenset(TYPE_LABELS.values())


@dataclass
class LoadSummary:
    """What one `load_into_neo4j` call wrote."""

    nodes: int
    relationships: int
    seconds: float
    nodes_created: int = 0
    relationships_created: int = 0
    nodes_by_label: dict[str, int] = field(default_factory=dict)
    relationships_by_type: dict[str, int] = field(default_factory=dict)
    wiped_nodes: int = 0
    node_seconds: float = 0.0  # the node phase alone (after wipe and schema)
    relationship_seconds: float = 0.0  # the relationship phase alone

    @property
    def rows(self) -> int:
        return self.nodes + self.relationships

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def nodes_per_second(self) -> float:
        return self.nodes / self.seconds if self.seconds > 0 else 0.0

    @property
    def relationships_per_second(self) -> float:
        return self.relationships / self.seconds if self.seconds > 0 else 0.0


# --------------------------------------------------------------------------- rows


_SCALARS = (str, int, float, bool)


def _value(value: Any) -> Any:
    """A NetworkX attribute as a Neo4j property value (None means: omit)."""
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is list and all(type(v) is str for v in value):  # the common case: names, aliases, sources
        return value
    if isinstance(value, (str, bool, int, float)):  # subclasses (numpy scalars are not: see below)
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        items = [v for v in items if v is not None]
        if all(isinstance(v, str) for v in items) or all(isinstance(v, bool) for v in items) \
                or all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            return items
        return [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in items]
    return json.dumps(value, ensure_ascii=False, default=str)


def _node_kind(data: dict) -> str:
    kind = data.get("kind")
    if kind not in (PAPER, ENTITY):
        raise Neo4jError(f"graph node has kind {kind!r}; expected {PAPER} or {ENTITY}")
    return kind


def _node_labels(data: dict) -> tuple[str, ...]:
    """(kind label, type label or '') of a node; labels come from the schema only, never from data."""
    kind = _node_kind(data)
    if kind == ENTITY:
        return (ENTITY, TYPE_LABELS.get(data.get("type"), ""))
    return (PAPER, "")


def _node_groups(graph: nx.MultiDiGraph) -> dict[tuple[str, str], list[str]]:
    groups: dict[tuple[str, str], list[str]] = {}
    for node, data in graph.nodes(data=True):
        groups.setdefault(_node_labels(data), []).append(node)
    return dict(sorted(groups.items()))


def _rel_groups(graph: nx.MultiDiGraph) -> dict[tuple[str, str, str], list[tuple]]:
    """(type, start label, end label) -> [(u, v, key, data)]."""
    groups: dict[tuple[str, str, str], list[tuple]] = {}
    nodes = graph.nodes
    for u, v, key, data in graph.edges(keys=True, data=True):
        rel = key if key in RELATION_TYPES else data.get("rel")
        if rel not in RELATION_TYPES:
            raise Neo4jError(f"edge {u!r} -> {v!r} has type {key!r}; expected one of {', '.join(RELATION_TYPES)}")
        groups.setdefault((rel, _node_kind(nodes[u]), _node_kind(nodes[v])), []).append((u, v, key, data))
    return dict(sorted(groups.items()))




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
    def of(cls, attribute_dicts: Iterable[dict], skip: frozenset[str] = frozenset()) -> _Layout:
        count = 0
        first: dict[str, Any] = {}  # key -> first value, in order of first appearance
        seen: dict[str, int] = {}  # key -> number of dicts holding it
        same: set[str] = set()  # keys of the first dict whose scalar value has not changed so far
        for data in attribute_dicts:
            count += 1
            for key, value in data.items():
                if key in skip:
                    continue
                if key not in seen:
                    first[key], seen[key] = value, 1
                    if count == 1 and type(value) in _SCALARS:
                        same.add(key)
                    continue
                seen[key] += 1
                if key in same and (type(value) is not type(first[key]) or value != first[key]):
                    same.discard(key)
        const = {key: first[key] for key in first if key in same and seen[key] == count}
        return cls(const=const, columns=[str(key) for key in first if key not in const])

    def assignments(self, first_column: int) -> str:
        """The map literal of `SET x = {...}`: constants from $const, the rest from row[i]."""
        parts = [f"{_cypher_name(k)}: $const[{json.dumps(k)}]" for k in self.const]
        parts += [f"{_cypher_name(k)}: row[{i}]" for i, k in enumerate(self.columns, first_column)]
        return ", ".join(parts)

    def values(self, data: dict) -> list:
        return [_value(data.get(k)) for k in self.columns]


def _node_query(labels: tuple[str, str], layout: _Layout) -> str:
    kind, type_label = labels
    query = f"UNWIND $rows AS row MERGE (n:{kind} {{id: row[0]}}) SET n = {{id: row[0]"
    assignments = layout.assignments(1)
    query += f", {assignments}}}" if assignments else "}"
    if kind == ENTITY:
        stale = sorted(TYPE_LABEL_SET - {type_label})
        query += f" REMOVE n:{':'.join(stale)}"
        if type_label:
            query += f" SET n:{type_label}"
    return query


def _rel_query(rel: str, start: str, end: str, layout: _Layout) -> str:
    return (f"UNWIND $rows AS row MATCH (a:{start} {{id: row[0]}}) MATCH (b:{end} {{id: row[1]}}) "
            f"MERGE (a)-[r:{rel}]->(b) SET r = {{{layout.assignments(2)}}}")


def _batches(items: list, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


# --------------------------------------------------------------------------- load


def _write_batch(tx, query: str, rows: list[list], const: dict) -> tuple[int, int]:
    counters = tx.run(query, rows=rows, const=const).consume().counters
    return counters.nodes_created, counters.relationships_created


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


@dataclass
class _Batch:
    """One write transaction: `rows` for `query` (nodes or relationships of one group)."""

    what: str  # ":Entity:Model nodes", ":USES relationships"
    key: str  # the label set or relationship type, for the summary
    is_node: bool
    query: str
    const: dict
    rows: list[list]


def _node_batches(graph: nx.MultiDiGraph, groups: dict, batch_size: int) -> Iterator[_Batch]:
    nodes = graph.nodes
    for labels, members in groups.items():
        label = ":".join(filter(None, labels))
        layout = _Layout.of((nodes[n] for n in members), skip=frozenset({"id"}))
        query = _node_query(labels, layout)
        for chunk in _batches(members, batch_size):
            rows = [[str(n), *layout.values(nodes[n])] for n in chunk]
            yield _Batch(f":{label} nodes", label, True, query, layout.const, rows)


def _rel_batches(groups: dict, batch_size: int) -> Iterator[_Batch]:
    for (rel, start, end), edges in groups.items():
        layout = _Layout.of(d for *_, d in edges)
        query = _rel_query(rel, start, end, layout)
        for chunk in _batches(edges, batch_size):
            rows = [[str(u), str(v), *layout.values(d)] for u, v, _, d in chunk]
            yield _Batch(f":{rel} relationships", rel, False, query, layout.const, rows)


class _BatchFailed(Exception):
    def __init__(self, batch: _Batch, error: BaseException) -> None:
        super().__init__(str(error))
        self.batch, self.error = batch, error


def _write(driver, database: str, batch: _Batch) -> tuple[int, int]:
    try:
        with driver.session(database=database) as session:
            return session.execute_write(_write_batch, batch.query, batch.rows, batch.const)
    except Exception as exc:
        raise _BatchFailed(batch, exc) from exc


def _run_batches(driver, database: str, batches: Iterable[_Batch], workers: int) -> Iterator[tuple[_Batch, tuple]]:
    """Write the batches, `workers` transactions at a time; yields (batch, created counts) in order.

    The first failure is raised (after the batches already running have ended)."""
    if workers <= 1:
        for batch in batches:
            yield batch, _write(driver, database, batch)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neo4j-load") as pool:
        pending: deque[tuple[Future, _Batch]] = deque()
        try:
            for batch in batches:
                if len(pending) >= workers:
                    wait([f for f, _ in pending], return_when=FIRST_COMPLETED)
                    while pending and pending[0][0].done():
                        future, done_batch = pending.popleft()
                        yield done_batch, future.result()
                pending.append((pool.submit(_write, driver, database, batch), batch))
            while pending:
                future, done_batch = pending.popleft()
                yield done_batch, future.result()
        finally:
            for future, _ in pending:
                future.cancel()


def load_into_neo4j(graph: nx.MultiDiGraph, uri: str, user: str, password: str, database: str = "neo4j",
               batch_size: int = DEFAULT_BATCH_SIZE, wipe: bool = False,
               on_progress: Callable[[int, int, str], None] | None = None,
               *, workers: int = DEFAULT_WORKERS, retry_seconds: float = DEFAULT_RETRY_SECONDS) -> LoadSummary:
    """Copy `graph` into Neo4j (see the module docstring); idempotent.

    `on_progress(done, total, what)` is called after every batch with rows written so far (nodes +
    relationships), the total and a short description. `wipe=True` first deletes every :Paper and
    :Entity node. `workers` transactions run at a time (nodes first, then relationships; a deadlock
    between them is a transient error the driver retries). Raises Neo4jError with one clear line
    on any failure.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    node_groups = _node_groups(graph)
    rel_groups = _rel_groups(graph)
    total = sum(map(len, node_groups.values())) + sum(map(len, rel_groups.values()))
    summary = LoadSummary(nodes=0, relationships=0, seconds=0.0)
    done = 0
    doing = "while connecting"

    def finished(batch: _Batch, created: tuple[int, int]) -> None:
        nonlocal done
        if batch.is_node:
            summary.nodes += len(batch.rows)
            summary.nodes_created += created[0]
            summary.nodes_by_label[batch.key] = summary.nodes_by_label.get(batch.key, 0) + len(batch.rows)
        else:
            summary.relationships += len(batch.rows)
            summary.relationships_created += created[1]
            summary.relationships_by_type[batch.key] = summary.relationships_by_type.get(batch.key, 0) + len(batch.rows)
        done += len(batch.rows)
        if on_progress:
            on_progress(done, total, batch.what)

    driver = connect(uri, user, password, retry_seconds)
    try:
        with driver.session(database=database) as session:
            if wipe:
                doing = "while wiping the database"
                summary.wiped_nodes = wipe_graph(session, batch_size)
            doing = "while creating constraints and indexes"
            ensure_schema(session)
        for phase, batches in (("node_seconds", _node_batches(graph, node_groups, batch_size)),
                               ("relationship_seconds", _rel_batches(rel_groups, batch_size))):
            phase_started = time.perf_counter()
            for batch, created in _run_batches(driver, database, batches, workers):
                finished(batch, created)
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
