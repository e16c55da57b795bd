"""Gold annotations as training examples: every verbatim alias occurrence becomes a labelled span."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from kg.evaluate import read_gold
from kg.model import ENTITY_TYPES, Paper

LABELS: tuple[str, ...] = tuple(t.upper() for t in ENTITY_TYPES)


@dataclass
class GoldRecord:
    """One annotated paper: the Paper and its entities as in the gold JSONL."""

    paper: Paper
    entities: list[dict]


def read_gold_records(path: Path) -> list[GoldRecord]:
    """Annotated papers of a gold JSONL file (guideline schema), read and checked by `kg.evaluate`:
    a bad line stops with one `file:line: reason` error."""
    return [GoldRecord(Paper(id=str(gold.pid), title=gold.title, abstract=gold.abstract),
                       [asdict(entity) for entity in gold.entities]) for gold in read_gold(path)]


def _is_boundary(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def gold_spans(text: str, entities: list[dict]) -> list[tuple[int, int, str]]:
    """(start, end, LABEL) of every alias occurrence at word boundaries; longest first, no overlaps."""
    found = []
    for entity in entities:
        label = entity["type"].upper()
        for alias in {*entity.get("aliases", []), entity["name"]}:
            if not alias:
                continue
            start = text.find(alias)
            while start >= 0:
                end = start + len(alias)
                if _is_boundary(text, start, end):
                    found.append((start, end, label))
                start = text.find(alias, start + 1)
    kept: list[tuple[int, int, str]] = []
    for start, end, label in sorted(found, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, label))
    return sorted(kept)


def fold_of(paper_id: str, folds: int) -> int:
    """The cross-validation fold of a paper: a stable hash of its id, so folds never depend on order."""
    return int(hashlib.sha1(paper_id.encode("utf-8")).hexdigest(), 16) % folds
