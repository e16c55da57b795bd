"""JSON input: documents (a list, or an object with a list inside) and JSON lines, in our own
fields or as OpenAlex works, Semantic Scholar papers or arXiv metadata snapshot records.

The flavour is told per record from its keys, so one file may mix them. Documents are walked
element by element, so every record has its line and a truncated document keeps the records
before the break. Deep nesting ends in a warning, never in a RecursionError.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.readers.base import RawRecord, ReadIssue
from kg.readers.records import make_record, parse_year, show
from kg.readers.text import split_lines

Item = RawRecord | ReadIssue
RECORD_LISTS = ("results", "data", "papers", "records", "works", "items", "entries", "hits")
TITLE_KEYS = ("title", "display_name")
MAX_INDEX_WORDS = 200_000

_DECODER = json.JSONDecoder(strict=False)  # raw control characters in strings are cleaned later
_SPACE = re.compile(r"[ \t\n\r]*")


# --------------------------------------------------------------------------- flavours


def _get(obj: Any, *keys: str) -> Any:
    """obj[k1][k2]... where every step is an object, else None."""
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def rebuild_abstract(index: Any) -> tuple[str | None, str | None]:
    """OpenAlex's abstract_inverted_index ({word: [positions]}) back to text; (text, problem)."""
    if not isinstance(index, dict):
        return None, f"'abstract_inverted_index' is not an object ({show(index)}); read without an abstract"
    pairs: list[tuple[int, str]] = []
    bad = 0
    for word, positions in index.items():
        if not isinstance(positions, list):
            bad += 1
            continue
        for position in positions:
            if isinstance(position, int) and not isinstance(position, bool) and position >= 0:
                pairs.append((position, word))
            else:
                bad += 1
        if len(pairs) > MAX_INDEX_WORDS:
            break
    pairs.sort()
    problem = f"'abstract_inverted_index' has {bad} bad position(s); those words left out" if bad else None
    return " ".join(word for _, word in pairs[:MAX_INDEX_WORDS]), problem


def _openalex(obj: dict, path: Path, line: int) -> Iterator[Item]:
    abstract = obj.get("abstract")
    if abstract is None and obj.get("abstract_inverted_index") is not None:
        abstract, problem = rebuild_abstract(obj["abstract_inverted_index"])
        if problem:
            yield ReadIssue(str(path), line, problem)
    work_id = obj.get("id")
    if isinstance(work_id, str):
        work_id = work_id.removeprefix("https://openalex.org/")
    doi = obj.get("doi")
    url = None
    if isinstance(doi, str) and doi.strip():
        url = doi if doi.startswith("http") else "https://doi.org/" + doi
    url = url or _get(obj, "primary_location", "landing_page_url")
    if url is None and isinstance(obj.get("id"), str) and obj["id"].startswith("http"):
        url = obj["id"]
    authorships = obj.get("authorships")
    authors: Any = authorships
    if isinstance(authorships, list):
        authors = [_get(a, "author", "display_name") or _get(a, "raw_author_name") for a in authorships]
    title_field = "title" if obj.get("title") is not None else "display_name"
    yield from make_record(path, line, title=obj.get(title_field), abstract=abstract, id=work_id,
                           year=obj.get("publication_year") or obj.get("publication_date"),
                           authors=authors, url=url, title_field=title_field)


def _semantic_scholar(obj: dict, path: Path, line: int) -> Iterator[Item]:
    external = obj.get("externalIds") or obj.get("externalids") or {}
    paper_id = obj.get("paperId") or obj.get("paperid")
    if paper_id is None:
        corpus_id = obj.get("corpusId") or obj.get("corpusid")
        paper_id = f"CorpusId:{corpus_id}" if isinstance(corpus_id, (int, str)) and corpus_id != "" else corpus_id
    url = obj.get("url")
    doi, arxiv = _get(external, "DOI"), _get(external, "ArXiv")
    if not url and isinstance(doi, str) and doi:
        url = "https://doi.org/" + doi
    elif not url and isinstance(arxiv, str) and arxiv:
        url = "https://arxiv.org/abs/" + arxiv
    yield from make_record(path, line, title=obj.get("title"), abstract=obj.get("abstract"), id=paper_id,
                           year=obj.get("year") or obj.get("publicationDate") or obj.get("publicationdate"),
                           authors=obj.get("authors"), url=url)


_ARXIV_NEW_ID = re.compile(r"(\d{2})(\d{2})\.\d{4,5}")
_ARXIV_OLD_ID = re.compile(r"[a-z-]+(?:\.[A-Z]{2})?/(\d{2})\d{5}")


def arxiv_id_year(arxiv_id: str) -> int | None:
    """The year an arXiv id was assigned: 2101.00001 -> 2021, hep-ph/9901001 -> 1999."""
    match = _ARXIV_NEW_ID.match(arxiv_id) or _ARXIV_OLD_ID.match(arxiv_id)
    if not match:
        return None
    yy = int(match.group(1))
    return 1900 + yy if yy >= 91 else 2000 + yy


def _arxiv_snapshot(obj: dict, path: Path, line: int) -> Iterator[Item]:
    arxiv_id = obj.get("id")
    versions = obj.get("versions")
    year = parse_year(_get(versions[0], "created")) if isinstance(versions, list) and versions else None
    if year is None and isinstance(arxiv_id, str):
        year = arxiv_id_year(arxiv_id)
    parsed = obj.get("authors_parsed")
    authors: Any = obj.get("authors")
    if isinstance(parsed, list) and parsed and all(isinstance(p, list) for p in parsed):
        authors = [" ".join(str(part) for part in (p[1:2] + p[0:1] + p[2:3]) if isinstance(part, str) and part)
                   for p in parsed]
    url = f"https://arxiv.org/abs/{arxiv_id}" if isinstance(arxiv_id, str) and arxiv_id else None
    yield from make_record(path, line, title=obj.get("title"), abstract=obj.get("abstract"), id=arxiv_id,
                           year=year or obj.get("update_date"), authors=authors, url=url, latex=True)


def _generic(obj: dict, path: Path, line: int) -> Iterator[Item]:
    yield from make_record(path, line, title=obj.get("title"), abstract=obj.get("abstract"), id=obj.get("id"),
                           year=obj.get("year"), authors=obj.get("authors"), url=obj.get("url"))


def flavour(obj: dict) -> str:
    """Which source a record object comes from, by its keys."""
    if ("abstract_inverted_index" in obj or "authorships" in obj or "display_name" in obj
            or "openalex.org/" in str(obj.get("id", ""))[:40]):
        return "openalex"
    if any(k in obj for k in ("paperId", "paperid", "externalIds", "externalids", "corpusId", "corpusid")):
        return "semantic-scholar"
    if "authors_parsed" in obj or ("categories" in obj and ("update_date" in obj or "versions" in obj)):
        return "arxiv"
    return "generic"


_MAPPERS = {"openalex": _openalex, "semantic-scholar": _semantic_scholar, "arxiv": _arxiv_snapshot,
            "generic": _generic}


def _records_list(obj: dict) -> list | None:
    """The list of records inside a page object such as {"results": [...]} or {"data": [...]}."""
    if any(k in obj for k in (*TITLE_KEYS, "paperId")):
        return None
    for key in RECORD_LISTS:
        if isinstance(obj.get(key), list):
            return obj[key]
    return next((v for v in obj.values() if isinstance(v, list) and v and isinstance(v[0], dict)), None)


def object_records(obj: Any, path: Path, line: int, what: str = "line") -> Iterator[Item]:
    """The records of one JSON value: a record object, or a page object with a list of them."""
    if not isinstance(obj, dict):
        yield ReadIssue(str(path), line, f"{what} is not a JSON object ({show(obj)}); skipped")
        return
    inner = _records_list(obj)
    if inner is not None:
        for item in inner:
            yield from object_records(item, path, line, "list item")
        return
    yield from _MAPPERS[flavour(obj)](obj, path, line)


# --------------------------------------------------------------------------- reading


class _Lines:
    """Offset -> line number, for offsets visited in increasing order (linear overall)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def at(self, offset: int) -> int:
        if offset < self.offset:
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()


def _value(text: str, pos: int, lines: _Lines, path: Path) -> tuple[Any, int] | ReadIssue:
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        return ReadIssue(str(path), lines.at(exc.pos), f"invalid JSON ({exc.msg}); the rest of the file skipped")
    except RecursionError:
        return ReadIssue(str(path), lines.at(pos), "JSON nested too deeply; the rest of the file skipped")


def _walk_array(text: str, pos: int, lines: _Lines, path: Path,
                out: list[tuple[int, Any]]) -> tuple[int, ReadIssue | None]:
    """Append (line, value) for each element of the array at `pos`; return the end and any break."""
    pos = _skip(text, pos + 1)
    if text.startswith("]", pos):
        return pos + 1, None
    while True:
        line = lines.at(pos)
        got = _value(text, pos, lines, path)
        if isinstance(got, ReadIssue):
            return pos, got
        out.append((line, got[0]))
        pos = _skip(text, got[1])
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("]", pos):
            return pos + 1, None
        else:
            message = "the document ends early" if pos >= len(text) else "expected ',' or ']'"
            return pos, ReadIssue(str(path), lines.at(pos), f"invalid JSON ({message}); the rest of the file skipped")


def _walk_object(text: str, pos: int, lines: _Lines, path: Path
                 ) -> tuple[dict[str, Any], dict[str, list[tuple[int, Any]]], int, ReadIssue | None]:
    """The top-level object at `pos`: its plain values, its arrays element by element, the end and any break."""
    values: dict[str, Any] = {}
    arrays: dict[str, list[tuple[int, Any]]] = {}
    pos = _skip(text, pos + 1)
    if text.startswith("}", pos):
        return values, arrays, pos + 1, None
    while True:
        got = _value(text, pos, lines, path)
        if isinstance(got, ReadIssue):
            return values, arrays, pos, got
        key, pos = got
        pos = _skip(text, pos)
        if not isinstance(key, str) or not text.startswith(":", pos):
            return values, arrays, pos, ReadIssue(str(path), lines.at(pos),
                                                  "invalid JSON (expected a key and ':'); the rest of the file skipped")
        pos = _skip(text, pos + 1)
        if text.startswith("[", pos):
            items: list[tuple[int, Any]] = []
            arrays[key] = items
            pos, problem = _walk_array(text, pos, lines, path, items)
            values[key] = [value for _, value in items]
        else:
            got = _value(text, pos, lines, path)
            problem = got if isinstance(got, ReadIssue) else None
            if problem is None:
                values[key], pos = got
        if problem:
            return values, arrays, pos, problem
        pos = _skip(text, pos)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif text.startswith("}", pos):
            return values, arrays, pos + 1, None
        else:
            message = "the document ends early" if pos >= len(text) else "expected ',' or '}'"
            return values, arrays, pos, ReadIssue(str(path), lines.at(pos),
                                                  f"invalid JSON ({message}); the rest of the file skipped")


def read_json_document(path: Path, text: str) -> Iterator[Item]:
    """A JSON document: an array of records, an object with a list of records inside, or one record."""
    lines = _Lines(text)
    start = _skip(text, 0)
    items: list[tuple[int, Any]] = []
    problem: ReadIssue | None = None
    if text.startswith("[", start):
        end, problem = _walk_array(text, start, lines, path, items)
        if not items and problem is None:
            yield ReadIssue(str(path), 0, "the JSON list is empty; no papers")
        elif items and not any(isinstance(v, dict) for _, v in items):
            yield ReadIssue(str(path), 0, "the JSON list holds no objects, so no papers; file skipped")
            items = []
    elif text.startswith("{", start):
        values, arrays, end, problem = _walk_object(text, start, lines, path)
        key = None
        if not any(k in values for k in (*TITLE_KEYS, "paperId")):
            key = next((k for k in RECORD_LISTS if k in arrays), None) or next(
                (k for k, v in arrays.items() if v and isinstance(v[0][1], dict)), None)
        if key is not None:
            items = arrays[key]
        elif problem is None:
            if any(k in values for k in (*TITLE_KEYS, "paperId")):
                items = [(lines.at(start), values)]
            else:
                yield ReadIssue(str(path), 0, "JSON object with no paper records in it (no title, no list of "
                                              "records); file skipped")
    else:
        got = _value(text, start, lines, path)
        what = show(got[0]) if not isinstance(got, ReadIssue) else "not valid JSON"
        yield ReadIssue(str(path), 0, f"the JSON document is {what}, not paper records; file skipped")
        return
    for line, value in items:
        yield from object_records(value, path, line, "list item")
    if problem is not None:
        yield problem
    elif _skip(text, end) < len(text):
        yield ReadIssue(str(path), lines.at(_skip(text, end)), "text after the end of the JSON document; ignored")


def read_jsonl(path: Path, text: str) -> Iterator[Item]:
    """One JSON object per line (blank lines ignored); a page object on a line gives all its records."""
    for n, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        try:
            row = _DECODER.decode(line)
        except json.JSONDecodeError as exc:
            yield ReadIssue(str(path), n, f"invalid JSON ({exc.msg}); skipped")
            continue
        except RecursionError:
            yield ReadIssue(str(path), n, "JSON nested too deeply; skipped")
            continue
        yield from object_records(row, path, n)


def _parses_as_object(line: str) -> bool:
    try:
        return isinstance(_DECODER.decode(line), dict)
    except (ValueError, RecursionError):
        return False


def _leading_lines(text: str, count: int = 20) -> Iterator[str]:
    """The first `count` non-blank lines, without splitting the whole text."""
    pos = 0
    while count and pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        line = text[pos:end].rstrip("\r")
        pos = end + 1
        if line.strip():
            count -= 1
            yield line


def read_json(path: Path, text: str) -> Iterator[Item]:
    """JSON lines or a JSON document, whichever the text is (the suffix is not trusted for this).

    JSON lines when the first non-blank line is a whole object; a document when the text starts
    with '[' or '{' otherwise, unless the document breaks before its first record while later
    lines are whole objects (JSON lines with a bad first line).
    """
    first = next(_leading_lines(text, 1), "").lstrip()
    if first.startswith("{") and _parses_as_object(first):
        yield from read_jsonl(path, text)
    elif first.startswith(("[", "{")):
        items = list(read_json_document(path, text))
        broken = not any(isinstance(i, RawRecord) for i in items) and any(
            isinstance(i, ReadIssue) and i.message.startswith("invalid JSON") for i in items)
        if broken and any(_parses_as_object(line) for line in _leading_lines(text)):
            yield from read_jsonl(path, text)
        else:
            yield from items
    else:
        try:
            value = _DECODER.decode(text)
        except (ValueError, RecursionError):
            yield from read_jsonl(path, text)
        else:
            yield ReadIssue(str(path), 0, f"the JSON document is {show(value)}, not paper records; file skipped")
