"""The main job, stage by stage: read -> extract -> build -> write NetworkX files and papers.jsonl.

This module and `kg.cli` compose the library with the writers in `loaders`; they reach `loaders` at call
time only, so importing any `kg` module never imports `loaders` (which imports `kg`): see README.md,
"How it works"."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.atomic import check_output_dir, replace_directory
from kg.collector import collector_paused
from kg.corpus_state import STATE_FILE, CorpusState, own_record, write_state
from kg.engine import Engine, InProcess, LocalPool, resolve_workers
from kg.extract.pipeline import extract_own, extractor_fingerprint
from kg.extract.resumable import PassState, link_corpus_resumable
from kg.graph import build_graph
from kg.model import PaperEntities
from kg.query.networkx_backend import graph_stats
from kg.readers import ReadIssue, ReadResult, require_papers
from kg.readers.base import merge_records
from kg.readers.detect import STDIN, expand_inputs, read_file

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
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, in order


class Stages:
    """Seconds spent per stage of a job, for its summary and the benchmarks."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextlib.contextmanager
    def timing(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


@contextlib.contextmanager
def local_engine(workers: int, items: int) -> Iterator[Engine]:
    """This process, or a pool of `workers` local processes (0: every available core) for `items` papers."""
    count = resolve_workers(workers, items)
    if count == 1:
        yield InProcess()
        return
    with LocalPool(count) as engine:
        yield engine


def read_new_files(inputs: Iterable[Path | str], result: ReadResult, already_read: Iterable[str] = ()) -> list[str]:
    """Merge the records of every input file into `result` (as `read_papers` does), except files in
    `already_read` (real paths), which are reported and skipped; returns the real paths read."""
    skip = set(already_read)
    read: list[str] = []
    for path in expand_inputs([Path(p) for p in inputs], result.issues):
        real = str(path) if path is STDIN else os.path.realpath(path)
        if real in skip:
            result.issues.append(ReadIssue(str(path), 0, "already read by this build; skipped"))
            continue
        merge_records(read_file(path, result.issues), result)
        if path is not STDIN:
            read.append(real)
    return read


def input_files(inputs: Iterable[Path | str]) -> list[str]:
    """The real paths of the files `inputs` name (folders and glob patterns expanded)."""
    return [os.path.realpath(path) for path in expand_inputs([Path(p) for p in inputs]) if path is not STDIN]


def read_and_extract_own(inputs: Iterable[Path | str], workers: int = 0, cluster: str | None = None,
                         on_start: Callable[[int, str], None] | None = None,
                         on_advance: Callable[[], None] | None = None,
                         stages: Stages | None = None) -> tuple[ReadResult, list[str], list[PaperEntities]]:
    """The read stage and the map stage (each paper's own entities; the corpus pass comes after):
    here, extracting in `workers` local processes (0: every available core), or on the Dask cluster
    whose scheduler is at `cluster`, its workers reading the files (one stage, "read+extract"); the
    result is the same. Returns the read, the real paths of the files read and the extractions.
    `on_start(n, unit)` and `on_advance()` report progress over n papers (on a cluster, n files).
    NoPapersError when no paper was read."""
    inputs = list(inputs)
    stages = stages or Stages()
    if cluster:
        from kg.cluster import connect, read_and_extract_on_cluster

        with stages.timing("read+extract"), connect(cluster) as client:
            read, corpus = read_and_extract_on_cluster(inputs, client, on_start=on_start, on_advance=on_advance)
        return read, input_files(inputs), corpus
    read = ReadResult()
    with stages.timing("read"):
        files = read_new_files(inputs, read)
    require_papers(read, inputs)
    if on_start:
        on_start(len(read.papers), "papers")
    with stages.timing("extract"), local_engine(workers, len(read.papers)) as engine:
        corpus = extract_own(read.papers, on_paper=on_advance, engine=engine)
    return read, files, corpus


def link_and_write(target: Path, corpus: list[PaperEntities], state: CorpusState, stages: Stages,
                   previous: PassState | None = None,
                   fresh: set[int] = frozenset()) -> tuple[nx.MultiDiGraph, list[str]]:
    """The corpus pass over `corpus` (each paper's own entities, as in `state.records`), resumed from
    `previous` (`fresh`: positions of its papers extracted again), the graph, then every output and
    the corpus state swapped into `target` together. Returns the graph and the pass's notes.

    papers.jsonl and the state are written first and `state.records` is emptied before the graph is
    built: at 100k papers the records and the graph would not otherwise fit in 4 GB together."""
    from loaders.files import write_extractions, write_graph_files

    with stages.timing("corpus pass"):
        notes, state.passed = link_corpus_resumable(corpus, previous, fresh)
    graphs: list[nx.MultiDiGraph] = []

    def write(folder: Path) -> None:
        with stages.timing("write papers and state"):
            write_extractions(corpus, folder / PAPERS_FILE)
            write_state(state, folder / STATE_FILE)
        state.records.clear()
        with stages.timing("graph"):
            graphs.append(build_graph(corpus))
        with stages.timing("write graph files"):
            write_graph_files(graphs[0], folder)

    replace_directory(target, write, carry_over=True)
    return graphs[0], notes


def summarise(graph: nx.MultiDiGraph, read: ReadResult, out_dir: Path, started: float,
              notes: list[str], stages: Stages) -> BuildSummary:
    """The summary of a build or an add that wrote `graph` to `out_dir`."""
    stats = graph_stats(graph)
    return BuildSummary(
        records_read=read.records_read, duplicates_merged=read.duplicates_merged,
        unique_papers=len(read.papers), entities_by_type=stats["entities_by_type"],
        edges_by_type=stats["edges_by_type"], seconds=time.perf_counter() - started,
        issues=read.issues, outputs=[Path(out_dir) / name for name in OUTPUT_FILES], notes=notes,
        stages=stages.seconds)


@collector_paused()
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
    or reads no paper leaves the previous outputs as they were, never a mix of old and new. Beside the
    outputs goes the corpus state `kg add` resumes from (kg/corpus_state.py)."""
    started = time.perf_counter()
    stages = Stages()
    target = check_output_dir(out_dir)
    # none read: NoPapersError before anything is written
    read, files, corpus = read_and_extract_own(inputs, workers, cluster, on_start, on_advance, stages)
    state = CorpusState(read.records_read, files, [own_record(item) for item in corpus],
                        extractor=extractor_fingerprint())
    graph, notes = link_and_write(target, corpus, state, stages)
    return graph, summarise(graph, read, out_dir, started, notes, stages)
