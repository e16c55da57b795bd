"""Per-component extraction time on real papers, in one process.

Runs the tokenizer, each pipeline component, `doc_entities` and the corpus pass separately over the
same papers and prints, per stage, the best of `--repeat` passes in CPU seconds (steadier than wall
time on a shared machine) and in wall seconds.

    python bench/bench_components.py /tmp/c1000.jsonl --repeat 3
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kg.extract.pipeline import build_nlp, doc_entities, paper_doc
from kg.extract.propagation import introduced_names, merge_spellings, propagate, relink
from kg.model import PaperEntities
from kg.readers import read_papers

T = TypeVar("T")


class Stopwatch:
    """Best CPU and wall time per stage over repeated passes."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(lambda: float("inf"))
        self.wall: dict[str, float] = defaultdict(lambda: float("inf"))

    def time(self, stage: str, work: Callable[[], T]) -> T:
        cpu, wall = time.process_time(), time.perf_counter()
        result = work()
        self.cpu[stage] = min(self.cpu[stage], time.process_time() - cpu)
        self.wall[stage] = min(self.wall[stage], time.perf_counter() - wall)
        return result


def corpus_pass(corpus: list[PaperEntities]) -> None:
    """The cross-paper steps of `extract_papers` after the per-paper pipeline."""
    names = introduced_names(corpus)
    relink(corpus, names, merge_spellings(names))
    propagate(corpus, names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--papers", type=int, default=None, help="use only the first N papers")
    parser.add_argument("--repeat", type=int, default=1, help="passes; the best time of each stage is kept")
    args = parser.parse_args()
    papers = read_papers(args.inputs).papers[:args.papers]
    nlp = build_nlp()
    clock = Stopwatch()
    for _ in range(args.repeat):
        docs = clock.time("tokenizer", lambda: [paper_doc(nlp, paper) for paper in papers])
        for name, component in nlp.pipeline:
            run = (lambda c=component, d=docs: list(c.pipe(d))) if hasattr(component, "pipe") \
                else (lambda c=component, d=docs: [c(doc) for doc in d])
            docs = clock.time(name, run)
        corpus = clock.time("doc_entities", lambda d=docs: [PaperEntities(paper, doc_entities(doc, paper))
                                                            for paper, doc in zip(papers, d, strict=True)])
        clock.time("corpus pass", lambda c=corpus: corpus_pass(c))
    print(f"{len(papers)} papers, best of {args.repeat}: CPU s, wall s")
    for stage, seconds in clock.cpu.items():
        print(f"{stage:>14}  {seconds:7.2f}  {clock.wall[stage]:7.2f}")


if __name__ == "__main__":
    main()
