"""Self-training: a tagger trained on the gold papers labels a fixed random sample of unlabelled corpus
papers, and the shipped tagger learns from the gold papers and those labels together, so it sees many
more names and contexts than the annotated papers hold. The classifiers still learn from gold only."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterable
from pathlib import Path

from spacy.language import Language

from kg.extract.pipeline import extract_papers
from kg.model import Paper
from kg.readers import normalise_title
from kg.training.data import GoldRecord


def corpus_sample(path: Path, size: int, seed: int, exclude_titles: Iterable[str] = (),
                  limit: int | None = None) -> list[Paper]:
    """`size` papers drawn at random (fixed by `seed`) from the first `limit` records of a (gzip) JSON
    lines corpus of titles and abstracts, leaving out papers whose title is in `exclude_titles` (gold)."""
    excluded = {normalise_title(title) for title in exclude_titles}
    opener = gzip.open if Path(path).suffix == ".gz" else open
    papers = []
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit is not None and number >= limit:
                break
            record = json.loads(line)
            title, abstract = record.get("title") or "", record.get("abstract") or ""
            if abstract and normalise_title(title) not in excluded:
                papers.append(Paper(f"corpus-{number}", title, abstract))
    return random.Random(seed).sample(papers, min(size, len(papers)))


def pseudo_records(teacher: Language, papers: list[Paper]) -> list[GoldRecord]:
    """The teacher pipeline's entities on `papers` as training records (every mention text an alias)."""
    return [GoldRecord(item.paper, [{"name": entity.name, "type": entity.type,
                                     "aliases": sorted({mention.text for mention in entity.mentions})}
                                    for entity in item.entities])
            for item in extract_papers(papers, nlp=teacher)]
