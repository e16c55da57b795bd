"""Benchmark of the main job (`kg build`: read -> extract -> link -> graph -> write) on N real papers.

Each size runs in a fresh child process and prints, side by side:
- the build's wall time, papers/s and ms per paper, and each stage's seconds;
- the bare spaCy tokenizer (the pipeline's own) on the same texts in one process and in as many
  processes as the build uses, and the build's throughput as a ratio of both;
- the trained pipeline's `nlp.pipe` alone on the same texts with the same processes (start-up and
  model load included, as in the build), and the build's overhead over it (reading, the corpus
  pass, the graph, writing; the issue's bound is 30%);
- peak memory: the largest total resident set of the build's process tree (the parent and its
  workers, sampled every 50 ms).
A last line gives the per-paper cost of the largest size over the smallest. With `--repeat N` the build,
the tokenizer and `nlp.pipe` run N times in turn and the fastest of each counts: on this shared machine the
same work moves by 10-25% from run to run, as much as the overhead being measured.

    python bench/bench_build.py --corpus ../shared/corpus/arxiv-cs-2024-2026.jsonl.gz --papers 1000 10000
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from kg.build import build
from kg.engine import InProcess, LocalPool, chunked, resolve_workers
from kg.extract.pipeline import MODEL_DIR, paper_doc, process_pipeline
from kg.model import TITLE_SEPARATOR, Paper
from kg.readers import read_papers

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "arxiv-cs-2024-2026.jsonl.gz"


def corpus_input(count: int, corpus: Path, directory: Path) -> Path:
    """A JSONL file of the first `count` papers of a gzip JSON lines corpus."""
    path = directory / f"corpus-{count}.jsonl"
    with gzip.open(corpus, "rt", encoding="utf-8") as source, path.open("w", encoding="utf-8") as handle:
        for _, line in zip(range(count), source, strict=False):
            handle.write(line)
    return path


def tokenize_chunk(texts: list[str]) -> int:
    """The baseline's map stage: the pipeline's bare tokenizer over some texts."""
    tokenizer = process_pipeline(str(MODEL_DIR)).tokenizer
    return sum(len(doc) for doc in tokenizer.pipe(texts))


def pipe_chunk(papers: list[Paper]) -> int:
    """The second baseline's map stage: the trained pipeline's nlp.pipe, nothing after it."""
    nlp = process_pipeline(str(MODEL_DIR))
    return sum(len(doc) for doc in nlp.pipe(paper_doc(nlp, paper) for paper in papers))


def timed_map(stage, chunks: list, processes: int, warm: bool) -> float:
    """Seconds to map `stage` over `chunks` on `processes` (start-up included unless `warm`)."""
    if processes == 1:
        started = time.perf_counter()
        if warm:
            stage(chunks[0][:1])
            started = time.perf_counter()
        sum(InProcess().map(stage, chunks))
        return time.perf_counter() - started
    started = time.perf_counter()
    with LocalPool(processes) as pool:
        if warm:  # start every worker and load what it needs before the clock starts
            sum(pool.map(stage, [chunk[:1] for chunk in chunks[:processes * 4]]))
            started = time.perf_counter()
        sum(pool.map(stage, chunks))
        return time.perf_counter() - started


class TreeMemory:
    """The largest total RSS of this process and its children, sampled in a background thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, args=(interval,), daemon=True)

    def _sample(self, interval: float) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def run(count: int, corpus: Path, workers: int, pipe_limit: int, keep: Path | None, repeat: int = 1) -> dict:
    """One size: the build, the tokenizer and `nlp.pipe`, each `repeat` times in turn (the fastest counts:
    on a shared machine the same work moves by 10-25% from run to run)."""
    builds: list = []
    peak = 0
    tokenizer: dict[int, float] = {}
    pipes: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        source = corpus_input(count, corpus, Path(tmp))
        # The model files and the code in the OS page cache before the first clock starts, as for the
        # baselines after the build: a pool whose workers load the pipeline once.
        timed_map(pipe_chunk, [read_papers([source]).papers[:1]], resolve_workers(workers, count), warm=False)
        papers = read_papers([source]).papers
        processes = resolve_workers(workers, len(papers))
        texts = [f"{p.title}{TITLE_SEPARATOR}{p.abstract}" for p in papers]
        text_chunks = list(chunked(texts, 256))
        for _ in range(repeat):
            with TreeMemory() as memory:
                _, summary = build([source], keep / f"build-{count}" if keep else Path(tmp) / "out", workers=workers)
            builds.append(summary)
            peak = peak or memory.peak  # the first build's: later ones start from the heap the earlier left
            for n in sorted({1, processes}):
                tokenizer[n] = min(tokenizer.get(n, float("inf")), timed_map(tokenize_chunk, text_chunks, n, warm=True))
            if count <= pipe_limit:
                pipes.append(timed_map(pipe_chunk, list(chunked(papers)), processes, warm=False))
    summary = min(builds, key=lambda item: item.seconds)
    pipe = min(pipes) if pipes else None
    seconds = summary.seconds
    result = {
        "papers": count, "processes": processes, "seconds": seconds, "papers_per_s": count / seconds,
        "ms_per_paper": 1000 * seconds / count, "stages": summary.stages,
        "tokenizer_papers_per_s": {n: count / s for n, s in tokenizer.items()},
        "ratio_to_tokenizer_same_processes": tokenizer[processes] / seconds,
        "ratio_to_tokenizer_best": min(tokenizer.values()) / seconds,
        "nlp_pipe_seconds": pipe, "overhead_over_nlp_pipe": None if pipe is None else seconds / pipe - 1,
        "peak_rss_mib": peak / 2**20, "repeats": repeat,
        "build_seconds_each": [item.seconds for item in builds], "nlp_pipe_seconds_each": pipes,
    }
    stages = ", ".join(f"{name} {s:.1f}s" for name, s in summary.stages.items())
    token_rates = ", ".join(f"{n} process{'es' if n > 1 else ''} {count / s:,.0f}/s" for n, s in tokenizer.items())
    overhead = "n/a" if pipe is None else f"{pipe:.1f}s, build overhead {100 * (seconds / pipe - 1):+.0f}%"
    print(f"{count:>7,} papers, {processes} processes: {seconds:.1f}s, {count / seconds:,.1f} papers/s, "
          f"{result['ms_per_paper']:.2f} ms/paper ({stages})\n"
          f"         tokenizer {token_rates}; ratio to it {result['ratio_to_tokenizer_same_processes']:.3f} "
          f"(same processes), {result['ratio_to_tokenizer_best']:.3f} (best)\n"
          f"         nlp.pipe alone {overhead}; peak RSS {result['peak_rss_mib']:,.0f} MiB", flush=True)
    if repeat > 1:
        print(f"         fastest of {repeat}: builds {', '.join(f'{item.seconds:.1f}' for item in builds)} s; "
              f"nlp.pipe {', '.join(f'{value:.1f}' for value in pipes) or 'n/a'} s", flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="gzip JSON lines of papers")
    parser.add_argument("--workers", type=int, default=0, help="build processes (0: every available core)")
    parser.add_argument("--pipe-limit", type=int, default=20000,
                        help="run the nlp.pipe baseline up to this many papers (it costs as much as the build)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep", type=Path, help="keep each build's output in KEEP/build-N (for bench_neo4j.py)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the build and the baselines this many times in turn; the fastest of each counts")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print("RESULT " + json.dumps(run(args.one, args.corpus, args.workers, args.pipe_limit, args.keep, args.repeat)))
        return
    results = []
    for count in args.papers:
        command = [sys.executable, __file__, "--one", str(count), "--corpus", str(args.corpus),
                   "--workers", str(args.workers), "--pipe-limit", str(args.pipe_limit), "--repeat", str(args.repeat),
                   *(["--keep", str(args.keep)] if args.keep else [])]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        print("\n".join(line for line in output.splitlines() if not line.startswith("RESULT ")), flush=True)
        results.append(json.loads(next(line[7:] for line in output.splitlines() if line.startswith("RESULT "))))
    if len(results) > 1:
        first, last = results[0], results[-1]
        print(f"per-paper cost at {last['papers']:,} papers is {last['ms_per_paper'] / first['ms_per_paper']:.2f}x "
              f"that at {first['papers']:,}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
