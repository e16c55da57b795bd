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
        """`file:line: reason`, or `file: reason` for the file as a whole (line 0)."""
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


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
    origin: str = ""  # the file as given, for warnings about this record
    line: int = 0


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


def record_key(record: RawRecord) -> str:
    """The dedup key of a record: its normalised title, or for a title with no letters or digits
    (only emoji or punctuation) its exact title and abstract, so such papers are not all one."""
    return normalise_title(record.title) or "\x00" + record.title.casefold() + "\x00" + name_key(record.abstract)


def _free_id(wanted: str, key: str, used: dict[str, Paper]) -> str:
    """`wanted` if no other paper has it, else an id derived from the dedup key (numbered if need be)."""
    if wanted and wanted not in used:
        return wanted
    base = "p" + hashlib.sha1(key.encode("utf-8", "replace")).hexdigest()[:12]
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def merge_records(records: list[RawRecord], result: ReadResult) -> None:
    """Fold raw records into `result.papers`, merging repeats of a paper by normalised title.

    Two different papers never share an id: a record whose id is already taken by another paper is
    given a new one, with a warning.
    """
    by_key: dict[str, Paper] = {}
    by_id: dict[str, Paper] = {}
    for paper in result.papers:
        by_id[paper.id] = paper
        by_key.setdefault(normalise_title(paper.title) or "\x00" + paper.title.casefold() + "\x00"
                          + name_key(paper.abstract), paper)
    for record in records:
        result.records_read += 1
        key = record_key(record)
        paper = by_key.get(key)
        if paper is None:
            wanted = record.id or (paper_id_for(record.title) if normalise_title(record.title) else "")
            paper_id = _free_id(wanted, key, by_id)
            if record.id and paper_id != record.id:
                other = by_id[record.id]
                result.issues.append(ReadIssue(
                    record.origin or record.source, record.line,
                    f"id {record.id!r} is already used by a different paper ({other.sources[0]}); "
                    f"this one is given id {paper_id!r}"))
            paper = Paper(
                id=paper_id,
                title=record.title,
                abstract=record.abstract,
                year=record.year,
                authors=list(record.authors),
                url=record.url,
            )
            by_key[key] = paper
            by_id[paper_id] = paper
            result.papers.append(paper)
        else:
            if len(record.abstract) > len(paper.abstract):
                paper.abstract = record.abstract
            paper.year = paper.year or record.year
            paper.authors = paper.authors or list(record.authors)
            paper.url = paper.url or record.url
        paper.sources.append(record.source)
