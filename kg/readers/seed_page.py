"""Saved "Daily Papers" listing pages: page furniture, then alternating title and abstract lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.readers.base import RawRecord, ReadIssue
from kg.readers.records import make_record
from kg.readers.text import clean_text, split_lines

FURNITURE = {
    "new",
    "get trending papers in your email inbox!",
    "subscribe",
    "daily papers",
    "byak and the research community",
}
_DATE_LINE = re.compile(r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}(?:,? \d{4})?$",
                        re.I)
MAX_TITLE_CHARS = 400
MIN_ABSTRACT_CHARS = 80


def is_furniture(line: str) -> bool:
    """Page chrome that is neither a title nor an abstract."""
    return line.casefold() in FURNITURE or bool(_DATE_LINE.match(line))


def looks_like_abstract(line: str) -> bool:
    """Abstract lines are long prose; titles are short."""
    return len(line) >= MIN_ABSTRACT_CHARS and (len(line) > MAX_TITLE_CHARS or line.rstrip().endswith((".", ")", "]")))


def read_seed_page(path: Path, text: str) -> Iterator[RawRecord | ReadIssue]:
    """Yield one record per title line followed by its abstract line; report anything else.

    Only CR/LF end a line: a form feed or vertical tab inside an abstract does not split it.
    A file with no title-and-abstract pair at all is no seed page: one warning, nothing read.
    """
    lines = [(n, " ".join(clean_text(line)[0].split())) for n, line in enumerate(split_lines(text), start=1)]
    content = [(n, line) for n, line in lines if line and not is_furniture(line)]
    raw = dict(enumerate(split_lines(text), start=1))
    if not any(looks_like_abstract(following) and not looks_like_abstract(line)
               for (_, line), (_, following) in zip(content, content[1:], strict=False)):
        yield ReadIssue(str(path), 0, "no title line followed by an abstract line: not a saved Daily Papers page; "
                                      "file skipped")
        return
    i = 0
    while i < len(content):
        n, line = content[i]
        following = content[i + 1][1] if i + 1 < len(content) else ""
        if len(line) > MAX_TITLE_CHARS or looks_like_abstract(line) and not following:
            yield ReadIssue(str(path), n, "abstract without a title line before it; skipped")
            i += 1
        elif following and looks_like_abstract(following) and not looks_like_abstract(line):
            yield from make_record(path, n, title=raw[n], abstract=raw[content[i + 1][0]])
            i += 2
        else:
            yield from make_record(path, n, title=raw[n])
            i += 1
