"""arXiv API responses: an Atom feed, one <entry> per paper (title, summary, id, published, authors).

Parsed with defusedxml: a document type with entities (billion laughs) or external references is
refused, not expanded. A feed cut off part way keeps the entries before the break.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser

from kg.readers.base import RawRecord, ReadIssue
from kg.readers.records import make_record
from kg.readers.text import line_of

ATOM = "{http://www.w3.org/2005/Atom}"
_ENTRY_START = re.compile(r"<(?:[A-Za-z_][\w.-]{0,40}:)?entry[\s>/]")
_VERSION = re.compile(r"v\d+$")
# Controls that XML 1.0 forbids even as character references; cleaned from the text before parsing.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def is_atom_feed(text: str) -> bool:
    """An XML document whose root is an Atom <feed>."""
    head = text[:4096]
    return bool(re.search(r"<(?:[A-Za-z_][\w.-]{0,40}:)?feed[\s>]", head)) and "http://www.w3.org/2005/Atom" in head


def _text(element: ET.Element | None) -> str | None:
    return None if element is None else "".join(element.itertext())


def _entry_records(entry: ET.Element, path: Path, line: int) -> Iterator[RawRecord | ReadIssue]:
    entry_id = (_text(entry.find(f"{ATOM}id")) or "").strip()
    title = _text(entry.find(f"{ATOM}title"))
    if "arxiv.org/api/errors" in entry_id:
        summary = " ".join((_text(entry.find(f"{ATOM}summary")) or "").split())
        yield ReadIssue(str(path), line, f"the arXiv API answered with an error: {summary or title}")
        return
    arxiv_id = _VERSION.sub("", entry_id.rsplit("/abs/", 1)[-1]) if "/abs/" in entry_id else entry_id
    url = next((link.get("href") for link in entry.findall(f"{ATOM}link")
                if link.get("rel") == "alternate" and link.get("href")), None) or entry_id or None
    authors = [_text(author.find(f"{ATOM}name")) for author in entry.findall(f"{ATOM}author")]
    yield from make_record(path, line, title=title, abstract=_text(entry.find(f"{ATOM}summary")),
                           id=arxiv_id or None, year=_text(entry.find(f"{ATOM}published")),
                           authors=authors or None, url=url, latex=True)


def read_atom(path: Path, text: str) -> Iterator[RawRecord | ReadIssue]:
    """Every <entry> of an Atom feed, with its line in the file."""
    text, removed = _XML_FORBIDDEN.subn("", text)
    if removed:
        yield ReadIssue(str(path), 0, f"removed {removed} control character(s) that XML does not allow")
    if not is_atom_feed(text):
        yield ReadIssue(str(path), 0, "XML but not an Atom feed (expected an arXiv API response); file skipped")
        return
    entry_lines = iter([line_of(text, m.start()) for m in _ENTRY_START.finditer(text)])
    yield from _read_entries(path, text, entry_lines)


def _read_entries(path: Path, text: str, entry_lines: Iterator[int]) -> Iterator[RawRecord | ReadIssue]:
    """Feed the text to the safe parser in pieces, yielding each entry as soon as it is complete."""
    entries: list[ET.Element] = []
    builder_parser = _EntryCollector(entries)
    step = 1 << 16
    pieces = [text[start:start + step] for start in range(0, max(len(text), 1), step)]
    for piece in [*pieces, None]:  # None: close the parser after the last piece
        try:
            if piece is None:
                builder_parser.close()
            else:
                builder_parser.feed(piece)
        except DefusedXmlException as exc:
            yield ReadIssue(str(path), 0, f"XML refused for safety ({type(exc).__name__}); file skipped")
            return
        except ET.ParseError as exc:
            yield from _flush(entries, path, entry_lines)
            yield ReadIssue(str(path), exc.position[0], f"invalid XML ({_reason(exc)}); "
                                                        "the rest of the file skipped")
            return
        yield from _flush(entries, path, entry_lines)


def _reason(exc: ET.ParseError) -> str:
    return str(exc).split(":")[0]


def _flush(entries: list[ET.Element], path: Path, entry_lines: Iterator[int]) -> Iterator[RawRecord | ReadIssue]:
    while entries:
        entry = entries.pop(0)
        yield from _entry_records(entry, path, next(entry_lines, 0))


class _EntryCollector:
    """Wraps the defused parser with a tree builder that hands over each finished <entry>."""

    def __init__(self, out: list[ET.Element]) -> None:
        self.out = out
        self.builder = _Builder(out)
        self.parser = XMLParser(target=self.builder, forbid_dtd=False, forbid_entities=True, forbid_external=True)

    def feed(self, data: str) -> None:
        self.parser.feed(data)

    def close(self) -> None:
        self.parser.close()


class _Builder(ET.TreeBuilder):
    def __init__(self, out: list[ET.Element]) -> None:
        super().__init__()
        self.out = out
        self.depth = 0

    def start(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.depth += 1
        return super().start(tag, attrs)

    def end(self, tag):  # type: ignore[no-untyped-def]
        self.depth -= 1
        element = super().end(tag)
        if tag == f"{ATOM}entry" and self.depth == 1:
            self.out.append(element)
        return element
