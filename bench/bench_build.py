"""Benchmark of the main job: read -> extract -> build -> write on N papers.

The papers are the first N of a real corpus (`--corpus`, gzip JSON lines such as
../shared/corpus/arxiv-cs-2024-2026.jsonl.gz), or else the seeds replicated to N papers (distinct
titles, same abstracts). Prints papers/s per stage and overall, the ratio of the whole build to the
bare spaCy tokenizer on the same texts in the same process (the baseline), and peak memory (the
process's maximum resident set size; each size runs in a fresh child process).

    python bench/bench_build.py --papers 2000 --corpus ../shared/corpus/arxiv-cs-2024-2026.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.extract.pipeline import TITLE_SEPARATOR, build_nlp, extract_papers
from kg.graph import build_graph
from kg.readers import read_papers
from loaders.files import write_extractions, write_graph_files

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def replicated_input(count: int, directory: Path) -> Path:
    """A JSONL file of `count` papers cycling through the seed papers with numbered titles."""
    seeds = read_papers([SEEDS]).papers
    path = directory / f"papers-{count}.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            paper = seeds[i % len(seeds)]
            title = paper.title if i < len(seeds) else f"{paper.title} (replica {i // len(seeds)})"
            handle.write(json.dumps({"title": title, "abstract": paper.abstract}) + "\n")
    return path


def corpus_input(count: int, corpus: Path, directory: Path) -> Path:
    """A JSONL file of the first `count` papers of a gzip JSON lines corpus."""
    path = directory / f"corpus-{count}.jsonl"
    with gzip.open(corpus, "rt", encoding="utf-8") as source, path.open("w", encoding="utf-8") as handle:
        for _, line in zip(range(count), source, strict=False):
            handle.write(line)
    return path


def tokenizer_seconds(papers: list) -> float:
    """The baseline: the pipeline's bare tokenizer over the same texts."""
    nlp = build_nlp()
    started = time.perf_counter()
    for _ in nlp.tokenizer.pipe(f"{p.title}{TITLE_SEPARATOR}{p.abstract}" for p in papers):
        pass
    return time.perf_counter() - started


def run(count: int, corpus: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = corpus_input(count, corpus, Path(tmp)) if corpus else replicated_input(count, Path(tmp))
        times = {}
        started = time.perf_counter()
        read = read_papers([source])
        times["read"] = time.perf_counter() - started
        mark = time.perf_counter()
        corpus = extract_papers(read.papers)
        times["extract"] = time.perf_counter() - mark
        mark = time.perf_counter()
        graph = build_graph(corpus)
        times["build"] = time.perf_counter() - mark
        mark = time.perf_counter()
        write_graph_files(graph, Path(tmp) / "out")
        write_extractions(corpus, Path(tmp) / "out" / "papers.jsonl")
        times["write"] = time.perf_counter() - mark
        total = time.perf_counter() - started
        baseline = tokenizer_seconds(read.papers)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages = ", ".join(f"{name} {count / seconds:,.0f}/s" for name, seconds in times.items())
    print(f"{count:>7,} papers: {total:6.1f}s total, {count / total:,.1f} papers/s ({stages}); "
          f"graph {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges; "
          f"peak RSS {rss_mib:,.0f} MiB; {1000 * total / count:.1f} ms/paper; "
          f"ratio to the bare tokenizer {baseline / total:.3f} (tokenizer {count / baseline:,.0f} papers/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[219, 2000])
    parser.add_argument("--corpus", type=Path, help="real papers: a gzip JSON lines corpus (default: the seeds)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run(args.one, args.corpus)
        return
    for count in args.papers:
        command = [sys.executable, __file__, "--one", str(count)]
        subprocess.run(command + (["--corpus", str(args.corpus)] if args.corpus else []), check=True)


if __name__ == "__main__":
    main()
