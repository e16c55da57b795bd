"""The pipeline on an existing Dask cluster (`--cluster tcp://HOST:PORT`; the `cluster` extra).

This process (the client) lists the input files and the workers read them: each input file is one task
that reads the file by its path (so inputs must be on a filesystem every worker sees at the same path)
and extracts each record's own entities with the worker's copy of the model, loaded once per worker
process. The client merges repeated papers exactly as a local read does (`merge_records`); the corpus
pass and the outputs are then the local build's, byte for byte.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.machinery import ModuleSpec
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.engine import IN_FLIGHT_PER_WORKER, Item, Result, chunked
from kg.errors import ClusterError
from kg.extract.pipeline import extract_chunk
from kg.model import EntityRef, Paper, PaperEntities
from kg.readers.base import RawRecord, ReadIssue, ReadResult, merge_records
from kg.readers.detect import STDIN, expand_inputs, read_file, require_papers

if TYPE_CHECKING:
    from distributed import Client

CLUSTER_EXTRA = "pip install 'paper-kg[cluster]'"
CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler, and again to find a worker there
Text = tuple[str, str]  # a record's (title, abstract): what its own entities depend on


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Client:
    """A client of the Dask scheduler at `address` that has at least one worker (ClusterError if not)."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise ClusterError(f"--cluster needs Dask distributed, which is not installed: {CLUSTER_EXTRA}") from exc
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, ValueError) as exc:
        raise ClusterError(f"{address}: cannot reach a Dask scheduler ({exc})") from exc
    try:
        client.wait_for_workers(1, timeout=timeout)
    except TimeoutError as exc:
        client.close()
        raise ClusterError(f"{address}: the Dask scheduler has no workers after {timeout:g} s; start some with "
                           f"`dask worker {address}`") from exc
    try:
        require_paper_kg(client, address)
    except ClusterError:
        client.close()
        raise
    return client


def require_paper_kg(client: Client, address: str) -> None:
    """ClusterError unless the scheduler and every worker can import this module: the scheduler reads
    the tasks too, and a worker that cannot would leave the cluster at its first task, the build waiting."""
    try:
        on_scheduler = client.run_on_scheduler(find_spec, __name__)
    except ImportError:  # not even `kg` there
        on_scheduler = None
    on_workers = client.run(find_spec, __name__, on_error="return")
    missing = [name for name, spec in [("the scheduler", on_scheduler), *sorted(on_workers.items())]
               if not isinstance(spec, ModuleSpec)]
    if missing:
        raise ClusterError(f"{address}: {', '.join(missing)} cannot import {__name__}; install paper-kg with the "
                           "cluster extra, the same version as here, on the scheduler and every worker")


class DaskEngine:
    """The map stage on a Dask cluster's workers, results in input order, a few tasks per worker thread
    in flight; each worker process loads the model once and keeps it (see `process_pipeline`)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.workers = max(1, sum(client.nthreads().values()))  # worker threads across the cluster

    def map(self, stage: Callable[[list[Item]], Result], chunks: Iterable[list[Item]]) -> Iterator[Result]:
        pending: deque[Any] = deque()  # distributed.Future
        for chunk in chunks:
            pending.append(self.client.submit(stage, chunk, pure=False))
            if len(pending) >= self.workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


@dataclass(frozen=True)
class InputFile:
    """An input as named to the user (`name`, in sources and issues) and as a worker opens it (`location`)."""

    name: Path
    location: Path


@dataclass
class FileExtraction:
    """One input file as read and extracted by a worker."""

    records: list[RawRecord]
    issues: list[ReadIssue]
    entities: dict[Text, list[EntityRef]]  # the own entities of each distinct (title, abstract)


def read_and_extract_files(files: list[InputFile]) -> list[FileExtraction]:
    """The map stage run by the workers: read each file and extract its records' own entities."""
    extractions: list[FileExtraction] = []
    for file in files:
        issues: list[ReadIssue] = []
        records = read_file(file.name, issues, location=file.location)
        texts = list(dict.fromkeys((record.title, record.abstract) for record in records))
        extracted = extract_chunk([Paper(id="", title=title, abstract=abstract) for title, abstract in texts])
        extractions.append(FileExtraction(records, issues, dict(zip(texts, extracted, strict=True))))
    return extractions


def worker_inputs(inputs: Iterable[Path]) -> tuple[list[InputFile], list[ReadIssue]]:
    """The input files (globs and folders expanded here, as a local read does) with the absolute paths
    the workers open, and the problems found listing them; standard input and pipes cannot be shared."""
    issues: list[ReadIssue] = []
    files: list[InputFile] = []
    for path in expand_inputs(inputs, issues):
        if path is STDIN or not path.is_file():
            raise ClusterError(f"{path}: Dask workers read input files by path; save this input to a file "
                               "on a filesystem every worker sees")
        files.append(InputFile(path, path.absolute()))
    return files, issues


def read_and_extract_on_cluster(inputs: Iterable[Path | str], client: Client,
                                on_start: Callable[[int, str], None] | None = None,
                                on_advance: Callable[[], None] | None = None) -> tuple[ReadResult, list[PaperEntities]]:
    """Read `inputs` and extract each paper's own entities on the cluster's workers, one task per file:
    the same papers, issues and own entities as a local read and map stage (the corpus pass,
    `link_corpus`, is the caller's). `on_start(n, "files")` and `on_advance()` report progress;
    NoPapersError when no paper was read."""
    inputs = [Path(p) for p in inputs]
    files, issues = worker_inputs(inputs)
    result = ReadResult(issues=issues)
    if on_start:
        on_start(len(files), "files")
    engine = DaskEngine(client)
    own: dict[Text, list[EntityRef]] = {}
    for [extraction] in engine.map(read_and_extract_files, chunked(files, 1)):
        result.issues.extend(extraction.issues)
        merge_records(extraction.records, result)
        for text, entities in extraction.entities.items():
            own.setdefault(text, entities)
        if on_advance:
            on_advance()
    require_papers(result, inputs)
    # A merged paper whose title and longest abstract came from different records was never extracted as such.
    unseen = [paper for paper in result.papers if (paper.title, paper.abstract) not in own]
    chunks = list(chunked(unseen))
    for chunk, extracted in zip(chunks, engine.map(extract_chunk, chunks), strict=True):
        own.update({(paper.title, paper.abstract): entities for paper, entities in zip(chunk, extracted, strict=True)})
    return result, [PaperEntities(paper, own.pop((paper.title, paper.abstract))) for paper in result.papers]
