"""One record's fields, as any reader found them, checked and cleaned into a RawRecord.

A field of the wrong type or size is reported and dropped (or cut), and the record is kept while it
still has a title: one bad field never loses a paper, and nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.keys import name_key
from kg.readers.base import RawRecord, ReadIssue
from kg.readers.latex import fold_latex
from kg.readers.text import (
    MAX_ABSTRACT_CHARS,
    MAX_AUTHORS,
    MAX_SHORT_CHARS,
    MAX_TITLE_CHARS,
    clean_text,
    fold,
    truncate,
)

_YEAR = re.compile(r"\s*(\d{4})(?!\d)")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")


def show(value: Any, limit: int = 40) -> str:
    """A short printable form of a bad value for a warning."""
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON list"
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = clean_text(repr(value[: limit + 1] if isinstance(value, str) else value))[0]
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Cleaner:
    """Cleans the text fields of one record and collects what it had to change."""

    def __init__(self, latex: bool) -> None:
        self.latex = latex
        self.controls = 0
        self.notes: list[str] = []

    def text(self, value: str, name: str, limit: int) -> str:
        size = len(value)
        if size > 4 * limit:  # cleaning and folding shorten text: what lies past this cannot be kept
            value = value[: 4 * limit]
        value, removed = clean_text(value)
        self.controls += removed
        if self.latex:
            value = fold_latex(value)
        value = fold(value)
        if len(value) > limit or size > 4 * limit:
            self.notes.append(f"'{name}' is {max(size, len(value)) if size > 4 * limit else len(value):,} "
                              f"characters; cut to {limit:,}")
            value = truncate(value, limit)
        return value


def parse_year(value: Any) -> int | None:
    """A year from 2020, '2020', '2020-05-01' or 'Mon, 2 Apr 2007 ...'; None if there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 2999 else None
    if isinstance(value, float) and value.is_integer():
        return parse_year(int(value))
    if isinstance(value, str):
        match = _YEAR.match(value) or re.search(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)", value[:100])
        if match:
            return parse_year(int(match.group(1)))
    return None


def split_authors(text: str) -> list[str]:
    """'A. One, B. Two and C. Three' or 'One; Two' -> names."""
    parts = text.split(";") if ";" in text else _AUTHOR_SPLIT.split(text)
    return [name.strip() for name in parts if name.strip()]


def make_record(path: Path, line: int, *, title: Any, abstract: Any = None, id: Any = None, year: Any = None,
                authors: Any = None, url: Any = None, latex: bool = False,
                title_field: str = "title") -> Iterator[RawRecord | ReadIssue]:
    """Check and clean one record's fields; yield warnings and, if it has a title, the record.

    `authors` is a list of names (or of objects with a 'name'), or one string of names.
    `latex` folds LaTeX markup (arXiv and BibTeX text).
    """
    where = str(path)

    def warn(message: str) -> ReadIssue:
        return ReadIssue(where, line, message)

    if not isinstance(title, str) or not title.strip():
        what = "has no" if title in (None, "") else f"has a {title_field!r} that is not text ({show(title)}), so no"
        yield warn(f"record {what} title; skipped")
        return
    cleaner = _Cleaner(latex)
    title_text = cleaner.text(title, title_field, MAX_TITLE_CHARS)
    if not title_text:
        yield warn("record has an empty title; skipped")
        return
    abstract_text = ""
    if isinstance(abstract, str):
        abstract_text = cleaner.text(abstract, "abstract", MAX_ABSTRACT_CHARS)
    elif abstract is not None:
        yield warn(f"'abstract' is not text ({show(abstract)}); read without an abstract")
    year_value: int | None = None
    if year not in (None, ""):
        year_value = parse_year(year)
        if year_value is None:
            yield warn(f"'year' is not a year: {show(year)}; ignored")
    id_text = ""
    if isinstance(id, (str, int)) and not isinstance(id, bool):
        id_text = fold(clean_text(str(id))[0])
        if len(id_text) > MAX_SHORT_CHARS:
            yield warn(f"'id' is {len(id_text):,} characters long; ignored")
            id_text = ""
    elif id is not None:
        yield warn(f"'id' is not text or a number ({show(id)}); ignored")
    url_text = ""
    if isinstance(url, str):
        url_text = fold(clean_text(url)[0])
        if len(url_text) > 4 * MAX_SHORT_CHARS:
            yield warn(f"'url' is {len(url_text):,} characters long; ignored")
            url_text = ""
    elif url is not None:
        yield warn(f"'url' is not text ({show(url)}); ignored")
    names: list[str] = []
    if isinstance(authors, str):
        authors = split_authors(cleaner.text(authors, "authors", MAX_SHORT_CHARS * MAX_AUTHORS))
    if isinstance(authors, list):
        bad = 0
        for author in authors[:MAX_AUTHORS]:
            if isinstance(author, dict):
                author = author.get("name") or author.get("display_name")
            if isinstance(author, str) and author.strip():
                name = cleaner.text(author, "author", MAX_SHORT_CHARS)
                if name:
                    names.append(name)
            else:
                bad += 1
        if bad:
            yield warn(f"{bad} of the {len(authors[:MAX_AUTHORS])} 'authors' are not names; those ignored")
        if len(authors) > MAX_AUTHORS:
            yield warn(f"{len(authors):,} authors; the first {MAX_AUTHORS:,} kept")
    elif authors is not None:
        yield warn(f"'authors' is not a list of names ({show(authors)}); ignored")
    if cleaner.controls:
        yield warn(f"removed {cleaner.controls} control character(s) that no output file can hold")
    for note in cleaner.notes:
        yield warn(note)
    if not name_key(title_text):
        yield warn(f"title {show(title_text)} has no letters or digits; the paper is told apart by its "
                   "exact title and abstract")
    yield RawRecord(title=title_text, abstract=abstract_text, source=f"{path.name}:{line}", id=id_text,
                    year=year_value, authors=names, url=url_text, origin=where, line=line)
