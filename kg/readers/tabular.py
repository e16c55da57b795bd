"""JSONL and CSV records with `title`, `abstract` and optional `id`, `year`, `authors`, `url`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.readers.base import RawRecord, ReadIssue


def _record_from_row(row: dict[str, Any], path: Path, line: int) -> RawRecord | ReadIssue:
    """Validate one row's fields; a bad row becomes a ReadIssue naming its line."""
    title = row.get("title")
    if not isinstance(title, str) or not title.strip():
        return ReadIssue(str(path), line, "record has no 'title'; skipped")
    abstract = row.get("abstract") or ""
    if not isinstance(abstract, str):
        return ReadIssue(str(path), line, "'abstract' is not text; skipped")
    year_value = row.get("year")
    year: int | None = None
    if year_value not in (None, ""):
        try:
            year = int(str(year_value).strip())
        except ValueError:
            return ReadIssue(str(path), line, f"'year' is not a number: {year_value!r}; skipped")
    authors = row.get("authors") or []
    if isinstance(authors, str):
        authors = [a.strip() for a in authors.replace(";", ",").split(",") if a.strip()]
    return RawRecord(
        title=" ".join(title.split()),
        abstract=" ".join(abstract.split()),
        source=f"{path.name}:{line}",
        id=str(row.get("id") or "").strip(),
        year=year,
        authors=[str(a) for a in authors],
        url=str(row.get("url") or "").strip(),
    )


def read_jsonl(path: Path, text: str) -> Iterator[RawRecord | ReadIssue]:
    """One JSON object per line; blank lines are ignored."""
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadIssue(str(path), n, f"invalid JSON ({exc.msg}); skipped")
            continue
        if not isinstance(row, dict):
            yield ReadIssue(str(path), n, "line is not a JSON object; skipped")
            continue
        yield _record_from_row(row, path, n)


def read_csv(path: Path, text: str) -> Iterator[RawRecord | ReadIssue]:
    """A header row naming at least `title`; one paper per row."""
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "title" not in [f.strip().lower() for f in reader.fieldnames]:
        yield ReadIssue(str(path), 1, "CSV header has no 'title' column; file skipped")
        return
    for row in reader:
        clean = {(k or "").strip().lower(): v for k, v in row.items()}
        if None in row:
            yield ReadIssue(str(path), reader.line_num, "row has more cells than the header; skipped")
            continue
        yield _record_from_row(clean, path, reader.line_num)
