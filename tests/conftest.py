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
