"""Neo4j writer and query backend for the paper-kg graph.

`load_graph` copies a NetworkX MultiDiGraph (see kg/graph.py) into Neo4j 5:

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

`Neo4jQueries` answers the kg.query questions by running the files in ``queries/`` verbatim.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import networkx as nx

from kg.query import NotFound, closest_surfaces, closest_titles
from kg.model import ENTITY, PAPER, TYPE_LABELS

# The driver logs every retried transaction; without this, Python's last-resort handler would print
# those records on stderr when the application configured no logging. Propagation is unchanged.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
QUERY_NAMES: tuple[str, ...] = ("papers_using", "paper_entities", "top_entities", "related_papers",
                                "cooccurring_entities", "papers_building_on", "shortest_connection")
DEFAULT_BATCH_SIZE = 10_000
DEFAULT_RETRY_SECONDS = 30.0
DEFAULT_WORKERS = 2
START_HINT = "is it running? `kg neo4j start`"
# Above this many entity names/aliases (or paper titles), "did you mean" suggestions come from the
# full-text indexes instead of a difflib scan over all of them.
SUGGEST_SCAN_LIMIT = 50_000

ENTITY_FULLTEXT_INDEX = "entity_names"
PAPER_FULLTEXT_INDEX = "paper_titles"
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

# The canonical key of a Cypher parameter, computed like kg.keys.name_key and queries/*.cypher:
# lower-case, keep letters and digits (per code point, so characters outside the BMP survive).
def _key_expr(param: str) -> str:
    chars = f"[i IN range(0, size(toLower({param})) - 1) | substring(toLower({param}), i, 1)]"
    return f"reduce(k = '', c IN {chars} | k + CASE WHEN c =~ '[\\\\p{{L}}\\\\p{{N}}]' THEN c ELSE '' END)"


class Neo4jLoadError(RuntimeError):
    """One clear, user-facing line: Neo4j unreachable, wrong credentials, connection lost, bad data."""


@dataclass
class LoadSummary:
    """What one `load_graph` call wrote."""

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


# --------------------------------------------------------------------------- driver and errors


def _driver(uri: str, user: str, password: str, retry_seconds: float = DEFAULT_RETRY_SECONDS):
    """A verified driver, or Neo4jLoadError with one clear line."""
    import neo4j
    from neo4j.exceptions import ConfigurationError

    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password), max_transaction_retry_time=retry_seconds,
                                            connection_timeout=10.0, connection_acquisition_timeout=60.0,
                                            notifications_min_severity="OFF")
    except (ConfigurationError, ValueError) as exc:
        raise Neo4jLoadError(f"bad Neo4j URI {uri!r}: {exc}") from exc
    try:
        driver.verify_connectivity()
    except Exception as exc:
        driver.close()
        raise _load_error(exc, uri, user) from exc
    return driver


def _load_error(exc: BaseException, uri: str, user: str, doing: str = "") -> Neo4jLoadError:
    """Translate a driver exception into one clear line."""
    from neo4j.exceptions import (AuthError, DriverError, Neo4jError, ServiceUnavailable, SessionExpired)

    if isinstance(exc, Neo4jLoadError):
        return exc
    code = getattr(exc, "code", None) or ""
    if isinstance(exc, AuthError) or code.startswith("Neo.ClientError.Security."):
        if "RateLimit" in code:
            return Neo4jLoadError(f"Neo4j at {uri} refused user {user!r}: too many failed logins; "
                                  "wait a few seconds and check the password")
        return Neo4jLoadError(f"wrong Neo4j user or password for {user!r} at {uri} "
                              "(set the password given to `kg neo4j start`)")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return Neo4jLoadError(f"Neo4j at {uri}: {exc.message if isinstance(exc, Neo4jError) else exc}")
    if isinstance(exc, (ServiceUnavailable, SessionExpired, OSError)) or type(exc).__name__ == "IncompleteCommit":
        if doing:
            return Neo4jLoadError(f"lost the connection to Neo4j at {uri} {doing} ({_first_line(exc)}); "
                                  "re-run to finish: loading is idempotent")
        return Neo4jLoadError(f"cannot reach Neo4j at {uri} ({START_HINT})")
    if isinstance(exc, Neo4jError):
        return Neo4jLoadError(f"Neo4j at {uri} failed{' ' + doing if doing else ''}: "
                              f"{code or type(exc).__name__}: {_first_line(exc.message or exc)}")
    if isinstance(exc, DriverError):
        return Neo4jLoadError(f"Neo4j driver error at {uri}{' ' + doing if doing else ''}: {_first_line(exc)}")
    return Neo4jLoadError(f"Neo4j at {uri}{' ' + doing if doing else ''}: {type(exc).__name__}: {_first_line(exc)}")


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__


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
        raise Neo4jLoadError(f"graph node has kind {kind!r}; expected {PAPER} or {ENTITY}")
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
    from kg.model import RELATION_TYPES

    groups: dict[tuple[str, str, str], list[tuple]] = {}
    nodes = graph.nodes
    for u, v, key, data in graph.edges(keys=True, data=True):
        rel = key if key in RELATION_TYPES else data.get("rel")
        if rel not in RELATION_TYPES:
            raise Neo4jLoadError(f"edge {u!r} -> {v!r} has type {key!r}; expected one of {', '.join(RELATION_TYPES)}")
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
    def of(cls, attribute_dicts: Iterable[dict], skip: frozenset[str] = frozenset()) -> "_Layout":
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


def load_graph(graph: nx.MultiDiGraph, uri: str, user: str, password: str, database: str = "neo4j",
               batch_size: int = DEFAULT_BATCH_SIZE, wipe: bool = False,
               on_progress: Callable[[int, int, str], None] | None = None,
               *, workers: int = DEFAULT_WORKERS, retry_seconds: float = DEFAULT_RETRY_SECONDS) -> LoadSummary:
    """Copy `graph` into Neo4j (see the module docstring); idempotent.

    `on_progress(done, total, what)` is called after every batch with rows written so far (nodes +
    relationships), the total and a short description. `wipe=True` first deletes every :Paper and
    :Entity node. `workers` transactions run at a time (nodes first, then relationships; a deadlock
    between them is a transient error the driver retries). Raises Neo4jLoadError with one clear line
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

    driver = _driver(uri, user, password, retry_seconds)
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
        raise _load_error(failed.error, uri, user, doing) from failed.error
    except Exception as exc:
        raise _load_error(exc, uri, user, doing) from exc
    finally:
        driver.close()
    summary.seconds = time.perf_counter() - started
    return summary


# --------------------------------------------------------------------------- queries


def read_query(name: str) -> str:
    """The text of queries/<name>.cypher."""
    if name not in QUERY_NAMES:
        raise ValueError(f"unknown query {name!r}")
    return (QUERY_DIR / f"{name}.cypher").read_text(encoding="utf-8")


class Neo4jQueries:
    """The kg.query questions answered by Neo4j: same arguments, rows, order and NotFound errors.

    Each method runs the text of queries/<method>.cypher unchanged, with parameters.
    """

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j",
                 *, retry_seconds: float = DEFAULT_RETRY_SECONDS) -> None:
        self.uri, self.user, self.database = uri, user, database
        self.queries = {name: read_query(name) for name in QUERY_NAMES}
        self._driver = _driver(uri, user, password, retry_seconds)

    def __enter__(self) -> "Neo4jQueries":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._driver.close()

    def run(self, query: str, /, **params: Any) -> list[dict]:
        """Rows (dicts) of a read query; driver failures become Neo4jLoadError."""
        import neo4j

        try:
            records, _, _ = self._driver.execute_query(query, params, database_=self.database,
                                                       routing_=neo4j.RoutingControl.READ)
        except Exception as exc:
            raise _load_error(exc, self.uri, self.user, "while querying") from exc
        return [record.data() for record in records]

    def _named(self, query_name: str, /, **params: Any) -> list[dict]:
        return self.run(self.queries[query_name], **params)

    # ---- lookups for NotFound (only run when a question returned no rows)

    def _entity_exists(self, name: str, entity_type: str | None = None) -> bool:
        rows = self.run(f"WITH {_key_expr('$name')} AS key MATCH (e:Entity) "
                        "WHERE key IN e.keys AND (coalesce($type, '') = '' OR e.type = $type) "
                        "RETURN e.id AS id LIMIT 1", name=name, type=entity_type)
        return bool(rows)

    def _paper_exists(self, paper: str) -> bool:
        rows = self.run(f"WITH {_key_expr('$paper')} AS key MATCH (p:Paper) "
                        "WHERE p.paper_id = $paper OR p.title_key = key RETURN p.id AS id LIMIT 1", paper=paper)
        return bool(rows)

    def _candidates(self, text: str, count: str, scan: str, index: str, returns: str) -> list[dict]:
        """Rows to pick "did you mean" suggestions from: every row (`scan`) while `count` is at most
        SUGGEST_SCAN_LIMIT, else the nodes the full-text `index` finds for the words of `text`."""
        if (self.run(count)[0]["n"] or 0) <= SUGGEST_SCAN_LIMIT:
            return self.run(scan)
        query = _fuzzy(text)
        if not query:
            return []
        return self.run(f"CALL db.index.fulltext.queryNodes('{index}', $q) YIELD node RETURN {returns} LIMIT 200",
                        q=query)

    def closest_names(self, name: str, limit: int = 5) -> list[str]:
        """Like kg.query.closest_names (from the full-text index on a large graph)."""
        rows = self._candidates(name, "MATCH (e:Entity) RETURN sum(1 + size(e.aliases)) AS n",
                                "MATCH (e:Entity) RETURN e.name AS name, e.aliases AS aliases ORDER BY e.id",
                                ENTITY_FULLTEXT_INDEX, "node.name AS name, node.aliases AS aliases")
        return closest_surfaces(name, ((row["name"], row["aliases"] or ()) for row in rows), limit)

    def closest_paper_titles(self, paper: str) -> list[str]:
        """Like the suggestions of kg.query.find_paper (from the full-text index on a large graph)."""
        rows = self._candidates(paper, "MATCH (p:Paper) RETURN count(p) AS n",
                                "MATCH (p:Paper) RETURN p.title AS title ORDER BY p.id",
                                PAPER_FULLTEXT_INDEX, "node.title AS title")
        return closest_titles(paper, (row["title"] for row in rows))

    def _entity_not_found(self, name: str) -> NotFound:
        return NotFound("entity", name, self.closest_names(name))

    def _paper_not_found(self, paper: str) -> NotFound:
        return NotFound("paper", paper, self.closest_paper_titles(paper))

    # ---- the questions (kg.query signatures)

    def _about_entity(self, query_name: str, name: str, entity_type: str | None = None, **params: Any) -> list[dict]:
        """Rows of a question about one entity; NotFound when no rows because no entity has that name."""
        rows = self._named(query_name, name=name, **params)
        if not rows and not self._entity_exists(name, entity_type):
            raise self._entity_not_found(name)
        return rows

    def _about_paper(self, query_name: str, paper: str, **params: Any) -> list[dict]:
        """Rows of a question about one paper; NotFound when no rows because no paper has that id or title."""
        rows = self._named(query_name, paper=paper, **params)
        if not rows and not self._paper_exists(paper):
            raise self._paper_not_found(paper)
        return rows

    def papers_using(self, name: str, entity_type: str | None = None) -> list[dict]:
        return self._about_entity("papers_using", name, entity_type or None, type=entity_type or None)

    def paper_entities(self, paper: str) -> list[dict]:
        return self._about_paper("paper_entities", paper)

    def top_entities(self, entity_type: str | None = None, limit: int = 20) -> list[dict]:
        return self._named("top_entities", type=entity_type or None, limit=max(0, int(limit)))

    def related_papers(self, paper: str, limit: int = 10) -> list[dict]:
        return self._about_paper("related_papers", paper, limit=max(0, int(limit)))

    def cooccurring_entities(self, name: str, limit: int = 20) -> list[dict]:
        return self._about_entity("cooccurring_entities", name, limit=max(0, int(limit)))

    def papers_building_on(self, paper: str) -> list[dict]:
        return self._about_paper("papers_building_on", paper)

    def shortest_connection(self, source: str, target: str, limit: int = 10) -> list[dict]:
        rows = self._named("shortest_connection", source=source, target=target, limit=max(0, int(limit)))
        if not rows:
            for name in (source, target):
                if not self._entity_exists(name):
                    raise self._entity_not_found(name)
        return rows

    def graph_stats(self) -> dict:
        """Like kg.query.graph_stats, from Neo4j's count store (cheap)."""
        from kg.model import RELATION_TYPES

        def count(pattern: str) -> int:
            return self.run(f"MATCH {pattern} RETURN count(*) AS n")[0]["n"]

        by_type = {t: count(f"(:{label})") for t, label in sorted(TYPE_LABELS.items())}
        edges = {rel: count(f"()-[:{rel}]->()") for rel in sorted(RELATION_TYPES)}
        return {"papers": count("(:Paper)"), "entities": count("(:Entity)"),
                "entities_by_type": {t: n for t, n in by_type.items() if n},
                "edges_by_type": {t: n for t, n in edges.items() if n}}


def _fuzzy(text: str) -> str:
    """A Lucene query matching any word of `text` approximately (special characters dropped)."""
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return " OR ".join(f"{w}~" for w in words[:20])
