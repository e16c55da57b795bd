"""False-positive hunting at corpus scale: in how many papers does each extracted entity land?

Runs the full extractor (`kg.extract.pipeline.extract_papers`, two passes) over a slice of the
unlabelled corpus with the lexicon files of a chosen directory, and writes, per entity, the number
of papers it was linked to, its type and which lexicon file (if any) it came from.

    PYTHONPATH=$PWD python3 scripts/lexicon_corpus_df.py \
        --corpus ../shared/corpus/arxiv-cs-2024-2026.jsonl.gz --start 0 --n 10000 \
        --lexicon-dir kg/lexicon --out /tmp/df_with.json

To measure "without" a lexicon file, copy the other files into a temporary directory and pass it as
--lexicon-dir (the loader reads the files named in kg.extract.lexicon.LEXICON_FILES that exist).
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import time
from collections import Counter
from pathlib import Path

from kg.extract.lexicon import LEXICON_FILES, Lexicon, load_lexicon, read_lexicon_file
from kg.extract.pipeline import build_nlp, extract_papers
from kg.extract.recognizer import EntityRecognizer
from kg.keys import name_key
from kg.model import Paper


def read_slice(path: Path, start: int, n: int) -> list[Paper]:
    papers = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for i, line in enumerate(itertools.islice(handle, start, start + n)):
            record = json.loads(line)
            papers.append(Paper(id=record.get("id") or f"P{start + i}", title=record.get("title", ""),
                                abstract=record.get("abstract", "")))
    return papers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--lexicon-dir", type=Path, default=Path("kg/lexicon"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--matcher-only", action="store_true",
                    help="only the lexicon matcher (the recognizer's lexicon scan), not the whole extractor")
    args = ap.parse_args()

    file_of: dict[str, str] = {}
    for filename in LEXICON_FILES:  # later files override earlier ones, as in load_lexicon
        path = args.lexicon_dir / filename
        if path.exists():
            for entry in read_lexicon_file(path):
                for surface in entry.surfaces:
                    file_of.setdefault(name_key(surface), filename)
                file_of[entry.key] = filename
    papers = read_slice(args.corpus, args.start, args.n)
    began = time.time()
    df: Counter = Counter()
    info: dict[str, dict] = {}
    links = 0
    if args.matcher_only:
        recognizer = EntityRecognizer(load_lexicon(args.lexicon_dir))
        for paper in papers:
            found = {}
            for c in recognizer._scan(paper.title + "\n\n" + paper.abstract, Lexicon()):
                if c.rule == "lexicon":
                    found[c.key] = c
            for key, c in found.items():
                df[key] += 1
                links += 1
                info.setdefault(key, {"name": c.name, "type": c.type, "file": file_of.get(key, "")})
    else:
        corpus = extract_papers(papers, build_nlp(lexicon_dir=str(args.lexicon_dir)))
        for item in corpus:
            for ref in item.entities:
                df[ref.id] += 1
                links += 1
                info.setdefault(ref.id, {"name": ref.name, "type": ref.type,
                                         "file": file_of.get(ref.id.split(":", 1)[-1], "")})
    seconds = time.time() - began
    rows = [{"id": key, "papers": count, "share": round(count / len(papers), 4), **info[key]}
            for key, count in df.most_common()]
    args.out.write_text(json.dumps({"papers": len(papers), "links": links, "seconds": round(seconds, 1),
                                    "entities": rows}, indent=1), encoding="utf-8")
    print(f"{len(papers)} papers, {links} links ({links / len(papers):.2f}/paper), {len(rows)} entities, "
          f"{seconds:.0f}s")


if __name__ == "__main__":
    main()
