"""CSV and TSV with a header naming at least `title`; optional `abstract`, `id`, `year`, `authors`, `url`.

(JSON lines live in kg.readers.json_records; `read_jsonl` is re-exported here for old imports.)
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from kg.readers.base import RawRecord, ReadIssue
from kg.readers.json_records import read_jsonl
from kg.readers.records import make_record

__all__ = ["header_delimiter", "read_csv", "read_jsonl", "read_tsv"]

# A cell may be as long as a 2 MB abstract: the csv module's 131,072-character default would stop
# the file; long fields are cut later with a warning.
_FIELD_LIMIT = min(sys.maxsize, 2**31 - 1)


def header_delimiter(first_line: str) -> str | None:
    """The delimiter (',', tab or ';') whose split of a header line has a 'title' column."""
    for delimiter in (",", "\t", ";"):
        cells = [c.strip().strip('"').strip().casefold() for c in first_line.split(delimiter)]
        if len(cells) > 1 and "title" in cells or cells == ["title"]:
            return delimiter
    return None


MAX_RESTARTS = 100


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str] | str]]:
    """(first line, cells) per row, or (line, error) for a row the csv module cannot read.

    A quote left open to the end of the file would swallow every later row: that row is reported and
    reading starts again on the line after it.
    """
    offset = 0  # lines before the text being read
    for _ in range(MAX_RESTARTS):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        while True:
            start = offset + reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, str(exc)
                if reader.line_num and str(exc) == "unexpected end of data":
                    break
                continue
            yield start, row
        cut = start - offset  # restart after the first line of the broken row
        pos = 0
        for _ in range(cut):
            pos = text.find("\n", pos) + 1
            if pos == 0:
                return
        text, offset = text[pos:], start
    yield offset + 1, "too many broken rows; the rest of the file skipped"


def read_csv(path: Path, text: str, delimiter: str | None = None) -> Iterator[RawRecord | ReadIssue]:
    """One paper per row; a ragged or unparsable row is reported and the rows around it are kept."""
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    first = next((line for line in io.StringIO(text) if line.strip()), "")
    delimiter = delimiter or header_delimiter(first) or ","
    header: list[str] | None = None
    for line, row in _rows(text, delimiter):
        if isinstance(row, str):
            yield ReadIssue(str(path), line, f"CSV row could not be read ({row}); skipped")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().casefold() for cell in row]
            if "title" not in header:
                yield ReadIssue(str(path), line, "CSV header has no 'title' column; file skipped")
                return
            continue
        if len(row) > len(header):
            yield ReadIssue(str(path), line, f"row has {len(row)} cells, the header {len(header)}; skipped")
            continue
        cells = dict(zip(header, row, strict=False))  # a short row leaves its last cells empty
        yield from make_record(path, line, title=cells.get("title"), abstract=cells.get("abstract"),
                               id=cells.get("id") or None, year=cells.get("year") or None,
                               authors=cells.get("authors") or None, url=cells.get("url") or None)


def read_tsv(path: Path, text: str) -> Iterator[RawRecord | ReadIssue]:
    """CSV with tabs."""
    yield from read_csv(path, text, delimiter="\t")
