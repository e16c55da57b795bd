"""The main job, stage by stage: read -> extract -> build -> write NetworkX files and papers.jsonl.
Read and extract run here or on a Dask cluster (kg/cluster.py).

This module and `kg.cli` compose the library with the writers in `loaders`; they reach `loaders` at call
time only, so importing any `kg` module never imports `loaders` (which imports `kg`): see README.md,
"How it works"."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.atomic import check_output_dir, replace_directory
from kg.engine import InProcess, LocalPool, resolve_workers
from kg.extract.pipeline import extract_own, link_corpus
from kg.graph import build_graph
from kg.model import Paper, PaperEntities
from kg.query.networkx_backend import graph_stats
from kg.readers import ReadIssue, ReadResult, read_papers

PAPERS_FILE = "papers.jsonl"
OUTPUT_FILES = ("graph.graphml", "graph.gexf", "graph.json", PAPERS_FILE)  # = loaders.files.GRAPH_FILES + papers


@dataclass
class BuildSummary:
    """What a build read, found and wrote."""

    records_read: int
    duplicates_merged: int
    unique_papers: int
    entities_by_type: dict[str, int]
    edges_by_type: dict[str, int]
    seconds: float
    issues: list[ReadIssue] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the corpus pass examined and left out
    stage_seconds: dict[str, float] = field(default_factory=dict)  # read, extract (read+extract), link, ...


def extract_on_workers(papers: list[Paper], workers: int,
                       on_paper: Callable[[], None] | None = None) -> list[PaperEntities]:
    """Each paper's own entities (the map stage) on `workers` local processes (0: every available core)."""
    count = resolve_workers(workers, len(papers))
    if count == 1:
        return extract_own(papers, engine=InProcess(), on_paper=on_paper)
    with LocalPool(count) as engine:
        return extract_own(papers, engine=engine, on_paper=on_paper)


def read_and_extract_own(inputs: Iterable[Path | str], workers: int = 0, cluster: str | None = None,
                         on_start: Callable[[int, str], None] | None = None,
                         on_advance: Callable[[], None] | None = None,
                         stages: StageClock | None = None) -> tuple[ReadResult, list[PaperEntities]]:
    """The read stage and the map stage (each paper's own entities; the corpus pass is `link_corpus`):
    here, extracting in `workers` local processes (0: every available core), or on the Dask cluster
    whose scheduler is at `cluster`, its workers reading the files (one lap of `stages`, "read+extract");
    the result is the same. `on_start(n, unit)` and `on_advance()` report progress over n papers (on a
    cluster, n files). NoPapersError when no paper was read."""
    stages = stages or StageClock()
    if cluster:
        from kg.cluster import connect, read_and_extract_on_cluster

        with connect(cluster) as client:
            read, corpus = read_and_extract_on_cluster(inputs, client, on_start=on_start, on_advance=on_advance)
        stages.lap("read+extract")
        return read, corpus
    read = read_papers(inputs, at_least_one=True)
    stages.lap("read")
    if on_start:
        on_start(len(read.papers), "papers")
    corpus = extract_on_workers(read.papers, workers, on_advance)
    stages.lap("extract")
    return read, corpus


def build(inputs: Iterable[Path | str], out_dir: Path,
          on_start: Callable[[int, str], None] | None = None,
          on_advance: Callable[[], None] | None = None, workers: int = 0,
          cluster: str | None = None) -> tuple[nx.MultiDiGraph, BuildSummary]:
    """Run the whole pipeline; `on_start(n, unit)` and `on_advance()` report progress over the n papers
    (files on a cluster). Extraction runs in `workers` processes (0: every available core; one for a
    small corpus), or on the Dask cluster whose scheduler is at `cluster` (see kg/cluster.py): the
    outputs are the same.

    `out_dir` is checked before anything is read (OutputError), and the outputs are written to a new
    directory beside it that is then swapped in: a build that fails, is interrupted (SIGINT, SIGTERM)
    or reads no paper leaves the previous outputs as they were, never a mix of old and new."""
    from loaders.files import write_extractions, write_graph_files

    started = time.perf_counter()
    stages = StageClock()
    target = check_output_dir(out_dir)
    # none read: NoPapersError before anything is written
    read, corpus = read_and_extract_own(inputs, workers, cluster, on_start, on_advance, stages)
    notes: list[str] = []
    link_corpus(corpus, notes)
    stages.lap("link")
    graph = build_graph(corpus)
    stages.lap("graph")

    def write(folder: Path) -> None:
        write_graph_files(graph, folder)
        write_extractions(corpus, folder / PAPERS_FILE)

    replace_directory(target, write, carry_over=True)
    stages.lap("write")
    stats = graph_stats(graph)
    return graph, BuildSummary(
        records_read=read.records_read, duplicates_merged=read.duplicates_merged,
        unique_papers=len(read.papers), entities_by_type=stats["entities_by_type"],
        edges_by_type=stats["edges_by_type"], seconds=time.perf_counter() - started,
        issues=read.issues, outputs=[Path(out_dir) / name for name in OUTPUT_FILES], notes=notes,
        stage_seconds=stages.seconds)


class StageClock:
    """Wall-clock seconds per stage, each lap measured from the previous one."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._mark = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = now - self._mark
        self._mark = now
