"""Shared fixtures: the seed corpus built once per test session."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

from kg.build import BuildSummary, build
from kg.model import PaperEntities
from loaders.files import read_extractions

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@dataclass
class SeedBuild:
    graph: nx.MultiDiGraph
    summary: BuildSummary
    out: Path
    corpus: list[PaperEntities]


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> SeedBuild:
    """The seeds read, extracted, built and written once for the whole session."""
    out = tmp_path_factory.mktemp("seed-build")
    graph, summary = build([SEEDS], out)
    return SeedBuild(graph, summary, out, read_extractions(out / "papers.jsonl"))


@pytest.fixture(scope="session")
def seed_graph(seed_build: SeedBuild) -> nx.MultiDiGraph:
    return seed_build.graph


# --------------------------------------------------------------------------- Neo4j
# A real Neo4j for the tests marked `neo4j` (tests/test_neo4j.py). Self-contained: other fixtures
# may be added to this file independently.

NEO4J_TEST_PASSWORD = "paper-kg-test-password"


@dataclass(frozen=True)
class Neo4jTestServer:
    """Where the tests' Neo4j listens; `data_dir` is None for an external server (NEO4J_URI)."""

    uri: str
    user: str
    password: str
    data_dir: Path | None = None
    pid: int | None = None


def _free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """A running Neo4j for the whole session.

    Uses NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD when NEO4J_URI is set (its :Paper and :Entity nodes
    are deleted by the tests: point it at a throwaway database). Otherwise starts the local server of
    loaders/neo4j_server.py on a free port with a temporary data directory and stops it at the end.
    If no server can be started the tests fail; PAPER_KG_SKIP_NEO4J=1 skips them instead.
    """
    import os

    if os.environ.get("PAPER_KG_SKIP_NEO4J") == "1":
        pytest.skip("PAPER_KG_SKIP_NEO4J=1")
    uri = os.environ.get("NEO4J_URI")
    if uri:
        yield Neo4jTestServer(uri, os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
        return

    from loaders.neo4j_server import start_server, stop_server

    data_dir = tmp_path_factory.mktemp("neo4j-data")
    info = None
    errors = []
    for _ in range(3):  # a free port can be taken between choosing and binding it
        try:
            info = start_server(port=_free_port(), data_dir=data_dir, password=NEO4J_TEST_PASSWORD, http_port=None)
            break
        except Exception as exc:  # ServerError and anything unexpected: report, never skip
            errors.append(f"{type(exc).__name__}: {exc}")
            if "in use" not in str(exc):
                break
    if info is None:
        pytest.fail(f"could not start Neo4j for the neo4j tests ({errors[-1]}); "
                    "set NEO4J_URI to use a running server, or PAPER_KG_SKIP_NEO4J=1 to skip them", pytrace=False)
    try:
        yield Neo4jTestServer(info.uri, info.user, info.password, data_dir, info.pid)
    finally:
        stop_server(data_dir)
