"""A first load through `neo4j-admin database import full` (`kg load neo4j --bulk`): the local server
of `loaders.neo4j_server` is stopped, its database replaced by the graph's CSV files
(`loaders.neo4j_csv`), the server started again, and the constraints and indexes of the Bolt loader
created. The result is the database a Bolt load into an empty database gives, `kg_hash` included,
so later `kg load neo4j` runs write only what changed.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import networkx as nx

from kg.errors import KgError, Neo4jError
from kg.neo4j_driver import connect, driver_error
from loaders.neo4j import DEFAULT_BATCH_SIZE, ensure_schema
from loaders.neo4j_csv import DeferredProperties, write_import_csv
from loaders.neo4j_server import ServerInfo, import_database, restart_server, server_status, stop_server

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
BULK_DATABASE = "neo4j"  # Neo4j Community serves one user database


@dataclass
class BulkSummary:
    """What one `bulk_load` did, with the time of each step."""

    nodes: int
    relationships: int
    seconds: float = 0.0
    export_seconds: float = 0.0  # writing the CSV files
    import_seconds: float = 0.0  # neo4j-admin import alone (a JVM start included)
    restart_seconds: float = 0.0  # stopping and starting the server
    schema_seconds: float = 0.0  # constraints, indexes and the values CSV cannot hold
    deferred: int = 0  # nodes and relationships with values set over Bolt after the import
    import_report: str = ""  # neo4j-admin's own summary: "IMPORT DONE in 9s 795ms."

    @property
    def relationships_per_second(self) -> float:
        """Relationships per second of the whole bulk load (export, restart and schema included)."""
        return self.relationships / self.seconds if self.seconds > 0 else 0.0


def local_server_for(uri: str, data_dir: Path | str | None = None) -> ServerInfo:
    """The running local server that `uri` reaches, else Neo4jError (one line): --bulk rewrites the
    server's files, so it needs the server `kg neo4j start` runs on this machine."""
    info = server_status(data_dir)
    if info is None:
        raise Neo4jError("--bulk needs the local server (`kg neo4j start`), and none is running"
                         + (f" for {data_dir}" if data_dir else "") + "; or load without --bulk")
    target, local = urlsplit(uri), urlsplit(info.uri)
    try:
        same_port = (target.port or 7687) == local.port
    except ValueError:
        same_port = False
    if target.hostname not in LOCAL_HOSTS or not same_port:
        raise Neo4jError(f"--bulk needs the local server started by `kg neo4j start` ({info.uri}), "
                         f"not {uri}; load that server without --bulk")
    return info


def _set_deferred(session, deferred: list[DeferredProperties], batch_size: int) -> None:
    """Set the values the CSV files could not hold (empty lists, ...), one query per label or type."""
    groups: dict[tuple, list[list]] = {}
    for item in deferred:
        if item.end:
            groups.setdefault((item.kind, item.start_kind, item.end_kind), []).append(
                [item.start, item.end, item.properties])
        else:
            groups.setdefault((item.kind,), []).append([item.start, item.properties])
    for key, rows in groups.items():
        if len(key) == 1:
            query = f"UNWIND $rows AS row MATCH (n:{key[0]} {{id: row[0]}}) SET n += row[1]"
        else:
            rel, start, end = key
            query = (f"UNWIND $rows AS row MATCH (a:{start} {{id: row[0]}})-[r:{rel}]->(b:{end} {{id: row[1]}}) "
                     "SET r += row[2]")
        for first in range(0, len(rows), batch_size):
            session.run(query, rows=rows[first:first + batch_size]).consume()


def bulk_load(graph: nx.MultiDiGraph, uri: str, user: str, password: str, database: str = BULK_DATABASE,
              data_dir: Path | str | None = None, on_step: Callable[[str], None] | None = None) -> BulkSummary:
    """Replace the local server's database by `graph` (see the module docstring).

    `on_step(description)` is called before each step. The credentials are checked before the
    server is stopped; if the import fails the server is started again all the same. Raises
    Neo4jError or ServerError with one clear line.
    """
    info = local_server_for(uri, data_dir)
    if database != BULK_DATABASE:
        raise Neo4jError(f"--bulk imports into the database {BULK_DATABASE!r} only (Neo4j Community), "
                         f"not {database!r}")
    step = on_step or (lambda _: None)
    started = time.perf_counter()
    connect(uri, user, password).close()
    with tempfile.TemporaryDirectory(prefix=".bulk-", dir=info.data_dir) as work:
        step("writing the CSV files")
        export = write_import_csv(graph, Path(work))
        summary = BulkSummary(export.nodes, export.relationships, deferred=len(export.deferred))
        summary.export_seconds = time.perf_counter() - started
        step("stopping the server")
        stop_started = time.perf_counter()
        stop_server(info.data_dir)
        stop_seconds = time.perf_counter() - stop_started
        try:
            step("neo4j-admin import")
            import_started = time.perf_counter()
            summary.import_report = import_database(info.data_dir, database, export.admin_arguments())
            summary.import_seconds = time.perf_counter() - import_started
        finally:
            step("starting the server")
            start_started = time.perf_counter()
            restart_server(info)
            summary.restart_seconds = stop_seconds + time.perf_counter() - start_started
    step("constraints and indexes")
    schema_started = time.perf_counter()
    doing = "while creating constraints and indexes after the import"
    try:
        driver = connect(uri, user, password)
        try:
            with driver.session(database=database) as session:
                ensure_schema(session)
                doing = "while setting the values CSV cannot hold"
                _set_deferred(session, export.deferred, DEFAULT_BATCH_SIZE)
        finally:
            driver.close()
    except KgError:
        raise
    except Exception as exc:
        raise driver_error(exc, uri, user, doing) from exc
    summary.schema_seconds = time.perf_counter() - schema_started
    summary.seconds = time.perf_counter() - started
    return summary
