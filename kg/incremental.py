"""`kg add`: new papers added to an existing build, with the outputs a full rebuild would write.

`add(NEW, DIR)` gives, byte for byte, the files of `build(OLD + NEW, DIR)` where OLD are the inputs of
the build in DIR: the corpus state that build kept (kg/corpus_state.py) replays the read (new records
are merged into the old papers as `merge_records` would: a repeat of an old paper is merged into it,
and extracted again when its abstract grew), only new and re-extracted papers go through the
pipeline, and the corpus pass resumes from what it found before (kg/extract/resumable.py). When the
extractor changed since the build (`kg train`, an upgrade), every old paper is extracted again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path

import networkx as nx

from kg.atomic import check_output_dir
from kg.build import BuildSummary, Stages, link_and_write, local_engine, read_new_files, summarise
from kg.collector import collector_paused
from kg.corpus_state import own_record, read_state
from kg.extract.pipeline import extract_own, extractor_fingerprint
from kg.model import Paper, PaperEntities
from kg.readers import ReadResult


@collector_paused()
def add(inputs: Iterable[Path | str], out_dir: Path,
        on_start: Callable[[int, str], None] | None = None,
        on_advance: Callable[[], None] | None = None, workers: int = 0) -> tuple[nx.MultiDiGraph, BuildSummary]:
    """Add the papers of `inputs` to the build in `out_dir` (InputError if there is none); `on_start(n,
    "papers")` and `on_advance()` report progress over the n papers extracted. Written as `build` writes: the new
    set is swapped in whole, or the previous one is left as it was."""
    started = time.perf_counter()
    target = check_output_dir(out_dir)
    stages = Stages()
    with stages.timing("read state"):
        state = read_state(target)
        corpus = [PaperEntities.from_json(record) for record in state.records]
    read = ReadResult(papers=[item.paper for item in corpus], records_read=state.records_read)
    before = [_merged_fields(paper) for paper in read.papers]
    with stages.timing("read"):
        state.files += read_new_files(inputs, read, state.files)
    state.records_read = read.records_read
    notes, extractor = [], extractor_fingerprint()
    stale = state.extractor != extractor  # every old paper is extracted again
    if stale:
        notes.append(f"the extractor (model, lexicon or code) changed since this build: its {len(before):,} "
                     "papers were extracted again")
        state.extractor = extractor
    fresh = sorted(index for index, fields in enumerate(before) if stale or read.papers[index].abstract != fields[0])
    changed = {index for index, fields in enumerate(before) if stale or _merged_fields(read.papers[index]) != fields}
    pending = [read.papers[index] for index in fresh] + read.papers[len(before):]
    if on_start:
        on_start(len(pending), "papers")
    with stages.timing("extract"):
        with local_engine(workers, len(pending)) as engine:
            extracted = extract_own(pending, on_paper=on_advance, engine=engine)
        for index, item in zip(fresh, extracted, strict=False):
            corpus[index] = item
        corpus.extend(extracted[len(fresh):])
        state.records = [own_record(item) if index in changed or index >= len(before) else state.records[index]
                         for index, item in enumerate(corpus)]
    graph, pass_notes = link_and_write(target, corpus, state, stages, previous=state.passed, fresh=set(fresh))
    return graph, summarise(graph, read, out_dir, started, notes + pass_notes, stages)


def _merged_fields(paper: Paper) -> tuple:
    """What merging a repeat into `paper` can change (`merge_records`: a longer abstract, a year, url or
    authors where there were none, one more source)."""
    return paper.abstract, paper.year, paper.url, len(paper.authors), len(paper.sources)
