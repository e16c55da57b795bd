"""Benchmark of `kg add`: build N papers, add M more, against the full build of the N.

The papers are the first N + M of a real corpus (gzip JSON lines such as
../shared/corpus/arxiv-cs-2024-2026.jsonl.gz). Prints the full build's time, the add's time, their
ratio, each job's seconds per stage (`BuildSummary.stages`) and how many old papers the add's corpus
pass scanned again. With --check, also builds the N + M papers afresh and compares every file.

    python bench/bench_add.py --papers 5000 --add 1000 --corpus ../shared/corpus/arxiv-cs-2024-2026.jsonl.gz
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from pathlib import Path

from kg.build import OUTPUT_FILES, build
from kg.corpus_state import STATE_FILE
from kg.extract import resumable
from kg.incremental import add


def slice_corpus(corpus: Path, start: int, count: int, path: Path) -> Path:
    """Papers start .. start + count of a gzip JSON lines corpus, as a JSON lines file."""
    with gzip.open(corpus, "rt", encoding="utf-8") as source, path.open("w", encoding="utf-8") as handle:
        for number, line in enumerate(source):
            if number >= start + count:
                break
            if number >= start:
                handle.write(line)
    return path


def count_rescans() -> list[int]:
    """Wrap the pass's per-paper scan to count the papers it scans (the last call's count is kept)."""
    counts = [0]
    scan = resumable._matches

    def counting(item, matcher):
        counts[0] += 1
        return scan(item, matcher)

    resumable._matches = counting
    return counts


def stages(seconds: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.1f}s" for name, value in seconds.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=5000, help="papers in the first build")
    parser.add_argument("--add", type=int, default=1000, help="papers added to it")
    parser.add_argument("--corpus", type=Path, required=True, help="a gzip JSON lines corpus")
    parser.add_argument("--workers", type=int, default=0, help="extraction processes (0: every core)")
    parser.add_argument("--check", action="store_true", help="also rebuild all papers and compare the files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        old = slice_corpus(args.corpus, 0, args.papers, folder / "old.jsonl")
        new = slice_corpus(args.corpus, args.papers, args.add, folder / "new.jsonl")
        out = folder / "out"
        started = time.perf_counter()
        _, built = build([old], out, workers=args.workers)
        full = time.perf_counter() - started
        print(f"build {built.unique_papers:,} papers: {full:.1f}s ({stages(built.stages)})")
        sizes = {name: (out / name).stat().st_size / 2**20 for name in (*OUTPUT_FILES, STATE_FILE)}
        print("files: " + ", ".join(f"{name} {size:.0f} MiB" for name, size in sizes.items()))
        scanned = count_rescans()
        started = time.perf_counter()
        _, added = add([new], out, workers=args.workers)
        seconds = time.perf_counter() - started
        old_scanned = scanned[0] - (added.unique_papers - built.unique_papers)
        print(f"add {args.add:,} papers: {seconds:.1f}s ({stages(added.stages)}); "
              f"old papers scanned again {old_scanned:,} of {built.unique_papers:,}")
        print(f"add / build = {seconds / full:.3f}")
        if args.check:
            build([old, new], folder / "rebuilt", workers=args.workers)
            same = all((out / name).read_bytes() == (folder / "rebuilt" / name).read_bytes()
                       for name in (*OUTPUT_FILES, STATE_FILE))
            print(f"add equals a full rebuild byte for byte: {same}")


if __name__ == "__main__":
    main()
