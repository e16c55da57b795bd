"""Options shared by several commands, declared once: the query backend (graph files or Neo4j) and the
Neo4j connection. A command asks for them by taking a `backend: BackendOptions` or
`neo4j: Neo4jConnection` parameter under `@backend_options` / `@neo4j_options`, which add the options
to its signature (so Typer shows and parses them) and hand it the assembled object."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import networkx as nx
import typer

from kg.cli.output import fail
from kg.model import ENTITY_TYPES
from kg.query.backend import QueryBackend

DEFAULT_OUT = Path("out")
DEFAULT_URI = "bolt://127.0.0.1:7687"
GraphOption = Annotated[Path, typer.Option("--graph", "-g", help="Build output directory or graph file.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
WorkersOption = Annotated[int, typer.Option("--workers", "-w", min=0,
                                            help="Extraction processes (0: every available core).")]
ClusterOption = Annotated[str | None, typer.Option(
    "--cluster", metavar="tcp://HOST:PORT",
    help="Run on this Dask scheduler's workers, which read the inputs (on a filesystem they all see).")]
TypeOption = Annotated[str | None, typer.Option("--type", "-t", help="model|method|dataset|benchmark|task")]
Neo4jFlag = Annotated[bool, typer.Option("--neo4j", help="Ask a Neo4j server (queries/*.cypher) instead of the files.")]
UriOption = Annotated[str, typer.Option("--uri", envvar="NEO4J_URI", help="Neo4j Bolt URI.")]
UserOption = Annotated[str, typer.Option("--user", envvar="NEO4J_USER", help="Neo4j user.")]
PasswordOption = Annotated[str | None, typer.Option(
    "--password", envvar="NEO4J_PASSWORD", help="Neo4j password (default: the local server's).")]
DatabaseOption = Annotated[str, typer.Option("--database", envvar="NEO4J_DATABASE", help="Neo4j database.")]


def check_type(entity_type: str | None) -> None:
    if entity_type and entity_type not in ENTITY_TYPES:
        fail(f"unknown type {entity_type!r}; choose one of {', '.join(ENTITY_TYPES)}")


def read_graph_file(path: Path) -> nx.MultiDiGraph:
    """The graph in a build output directory or graph file (kg.errors.InputError if there is none)."""
    from loaders.files import read_graph

    return read_graph(path)


@dataclass(frozen=True)
class Neo4jConnection:
    """--uri, --user, --password, --database."""

    uri: str
    user: str
    password: str | None
    database: str

    def resolved_password(self) -> str:
        """The given password, else the running local server's, else the local server's default."""
        if self.password:
            return self.password
        from loaders.neo4j_server import DEFAULT_PASSWORD, server_status

        info = server_status()
        return info.password if info else DEFAULT_PASSWORD


@dataclass(frozen=True)
class BackendOptions:
    """--graph, --neo4j and the Neo4j connection: where a query command asks its question."""

    graph_path: Path
    use_neo4j: bool
    neo4j: Neo4jConnection

    def open(self) -> QueryBackend:
        """The NetworkX graph files, or a Neo4j server running queries/*.cypher."""
        if not self.use_neo4j:
            from kg.query.networkx_backend import GraphQueries

            return GraphQueries(read_graph_file(self.graph_path))
        from kg.query.neo4j_backend import Neo4jQueries

        connection = self.neo4j
        return Neo4jQueries(connection.uri, connection.user, connection.resolved_password(), connection.database)


def _connection_parameters() -> list[inspect.Parameter]:
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [inspect.Parameter("uri", keyword, annotation=UriOption, default=DEFAULT_URI),
            inspect.Parameter("user", keyword, annotation=UserOption, default="neo4j"),
            inspect.Parameter("password", keyword, annotation=PasswordOption, default=None),
            inspect.Parameter("database", keyword, annotation=DatabaseOption, default="neo4j")]


def _inject(target: str, added: list[inspect.Parameter], assemble: Callable[..., object]):
    """A decorator replacing the command parameter `target` by the `added` options, whose values
    `assemble(**values)` turns into the object the command receives as `target`."""

    def decorate(command: Callable) -> Callable:
        signature = inspect.signature(command, eval_str=True)
        own = [p for p in signature.parameters.values() if p.name != target]

        @functools.wraps(command)
        def wrapper(*args, **kwargs):
            values = {p.name: kwargs.pop(p.name) for p in added}
            return command(*args, **kwargs, **{target: assemble(**values)})

        wrapper.__signature__ = signature.replace(parameters=[*own, *added])
        return wrapper

    return decorate


def _connection(uri: str, user: str, password: str | None, database: str) -> Neo4jConnection:
    return Neo4jConnection(uri, user, password, database)


neo4j_options = _inject("neo4j", _connection_parameters(), _connection)
neo4j_options.__doc__ = "Give a command the Neo4j connection options as `neo4j: Neo4jConnection`."

backend_options = _inject(
    "backend",
    [inspect.Parameter("graph_path", inspect.Parameter.KEYWORD_ONLY, annotation=GraphOption, default=DEFAULT_OUT),
     inspect.Parameter("use_neo4j", inspect.Parameter.KEYWORD_ONLY, annotation=Neo4jFlag, default=False),
     *_connection_parameters()],
    lambda graph_path, use_neo4j, **connection: BackendOptions(graph_path, use_neo4j, _connection(**connection)))
backend_options.__doc__ = ("Give a query command --graph, --neo4j and the connection options as "
                           "`backend: BackendOptions`.")
