"""What every reader shares: raw records, problems found in the input, and merging duplicates."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.keys import name_key
from kg.model import Paper

__all__ = ["InputError", "RawRecord", "ReadIssue", "ReadResult", "merge_records", "normalise_title", "paper_id_for"]


@dataclass(frozen=True)
class ReadIssue:
    """A bad record: reported with its file and line, while the good records beside it are kept."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class RawRecord:
    """One paper record as it stands in a file, before duplicates are merged."""

    title: str
    abstract: str
    source: str  # "file:line"
    id: str = ""
    year: int | None = None
    authors: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class ReadResult:
    """The read stage's output: unique papers plus what happened on the way."""

    papers: list[Paper] = field(default_factory=list)
    records_read: int = 0
    issues: list[ReadIssue] = field(default_factory=list)

    @property
    def duplicates_merged(self) -> int:
        return self.records_read - len(self.papers)


def normalise_title(title: str) -> str:
    """The dedup key of a title: casefolded, every non-alphanumeric character removed."""
    return name_key(title)


def paper_id_for(title: str) -> str:
    """A stable paper id derived from the normalised title."""
    return "p" + hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:12]


def merge_records(records: list[RawRecord], result: ReadResult) -> None:
    """Fold raw records into `result.papers`, merging repeats of a paper by normalised title."""
    by_key: dict[str, Paper] = {normalise_title(p.title): p for p in result.papers}
    for record in records:
        result.records_read += 1
        key = normalise_title(record.title)
        paper = by_key.get(key)
        if paper is None:
            paper = Paper(
                id=record.id or paper_id_for(record.title),
                title=record.title,
                abstract=record.abstract,
                year=record.year,
                authors=list(record.authors),
                url=record.url,
            )
            by_key[key] = paper
            result.papers.append(paper)
        else:
            if len(record.abstract) > len(paper.abstract):
                paper.abstract = record.abstract
            paper.year = paper.year or record.year
            paper.authors = paper.authors or list(record.authors)
            paper.url = paper.url or record.url
        paper.sources.append(record.source)
