"""Benchmark of the main job: read -> extract -> build -> write on the seeds replicated to N papers.

Prints papers/s per stage and overall, and peak memory (the process's maximum resident set size; each
size runs in a fresh child process so the numbers do not accumulate).
Replicas get distinct titles (so they are not merged) but the same abstracts.

    python bench/bench_build.py --papers 219 2000 10000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.extract.pipeline import extract_papers
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


def run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = replicated_input(count, Path(tmp))
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
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    stages = ", ".join(f"{name} {count / seconds:,.0f}/s" for name, seconds in times.items())
    print(f"{count:>7,} papers: {total:6.1f}s total, {count / total:,.1f} papers/s ({stages}); "
          f"graph {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges; "
          f"peak RSS {rss_mib:,.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[219, 2000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run(args.one)
        return
    for count in args.papers:
        subprocess.run([sys.executable, __file__, "--one", str(count)], check=True)


if __name__ == "__main__":
    main()
