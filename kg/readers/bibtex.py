"""BibTeX (a reference manager's export) through bibtexparser: entries with an `abstract`.

Field values are resolved here from the parser's raw values: `{...}` and `"..."` delimiters,
`@string` macros, month names and `#` concatenation; then TeX accents and braces are folded.
An entry without an abstract is reported (one line) and skipped; a block the parser cannot read
is reported and the entries around it are kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import bibtexparser

from kg.readers.base import RawRecord, ReadIssue
from kg.readers.records import make_record

_BIB_ENTRY = re.compile(r"^[ \t]*@[ \t]*[A-Za-z]{2,30}[ \t]*[{(]", re.MULTILINE)
_MONTHS = {m: m.capitalize() for m in
           ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]}
_SKIPPED_TYPES = {"comment", "preamble", "string"}


def looks_like_bibtex(text: str) -> bool:
    """Text whose first content is a BibTeX entry (after any comment lines)."""
    match = _BIB_ENTRY.search(text, 0, 65536)
    if not match:
        return False
    before = text[: match.start()]
    return all(not line.strip() or line.lstrip().startswith("%") for line in before.splitlines()[:200])


def _split_concatenation(raw: str) -> list[str]:
    """'"A " # macro # {B}' -> ['"A "', 'macro', '{B}'], splitting only outside braces and quotes."""
    if "#" not in raw:
        return [raw]
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch == '"' and depth == 0 and (i == 0 or raw[i - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i].strip())
            start = i + 1
    parts.append(raw[start:].strip())
    return parts


def resolve_value(raw: str, strings: dict[str, str]) -> str:
    """A raw field value as text: delimiters removed, macros expanded, pieces joined."""
    out = []
    for part in _split_concatenation(raw.strip()):
        if len(part) >= 2 and part[0] == "{" and part[-1] == "}" or len(part) >= 2 and part[0] == part[-1] == '"':
            out.append(part[1:-1])
        elif part.casefold() in strings:
            out.append(strings[part.casefold()])
        elif part.casefold() in _MONTHS:
            out.append(_MONTHS[part.casefold()])
        else:
            out.append(part)
    return "".join(out)


def split_bib_authors(text: str) -> list[str]:
    """'Smith, John and Doe, A.' -> ['John Smith', 'A. Doe'] (splitting on ' and ' outside braces)."""
    names, depth, start = [], 0, 0
    lowered = text.casefold()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and lowered.startswith(" and ", i):
            names.append(text[start:i])
            start = i + 5
            i += 4
        i += 1
    names.append(text[start:])
    result = []
    for name in names:
        name = " ".join(name.split())
        if name.count(",") == 1:
            last, first = (p.strip() for p in name.split(","))
            name = f"{first} {last}".strip()
        if name and name.casefold() != "others":
            result.append(name)
    return result


def read_bibtex(path: Path, text: str) -> Iterator[RawRecord | ReadIssue]:
    """One record per entry with a title and an abstract."""
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # its parse warnings are reported below as ReadIssues
    try:
        library = bibtexparser.parse_string(text, parse_stack=[])
    except RecursionError:
        yield ReadIssue(str(path), 0, "BibTeX nested too deeply; file skipped")
        return
    finally:
        logger.setLevel(level)
    strings: dict[str, str] = {}
    for string in library.strings:
        strings[string.key.casefold()] = resolve_value(str(string.value), strings)
    failed = {id(b) for b in library.failed_blocks}
    blocks = [(b.start_line + 1, b) for b in library.failed_blocks] + [(e.start_line + 1, e) for e in library.entries]
    for line, block in sorted(blocks, key=lambda pair: pair[0]):
        if id(block) in failed:
            error = getattr(block, "error", None)
            reason = str(getattr(error, "abort_reason", "") or error or "syntax error").split("\n")[0].strip()
            yield ReadIssue(str(path), line, f"BibTeX block could not be read ({reason[:120]}); skipped")
            continue
        entry = block
        if entry.entry_type.casefold() in _SKIPPED_TYPES:
            continue
        fields = {f.key.casefold(): resolve_value(str(f.value), strings) for f in entry.fields}
        label = f"@{entry.entry_type}{{{entry.key}}}"
        if not fields.get("abstract", "").strip():
            yield ReadIssue(str(path), line, f"{label} has no abstract; skipped")
            continue
        eprint = fields.get("eprint", "").strip()
        arxiv = eprint if eprint and fields.get("archiveprefix", "arxiv").casefold() == "arxiv" else ""
        doi = fields.get("doi", "").strip()
        url = fields.get("url", "").strip() or (f"https://doi.org/{doi}" if doi else "") or (
            f"https://arxiv.org/abs/{arxiv}" if arxiv else "")
        yield from make_record(path, line, title=fields.get("title"), abstract=fields["abstract"],
                               id=arxiv or doi or entry.key, year=fields.get("year") or fields.get("date"),
                               authors=split_bib_authors(fields.get("author", "")) or None, url=url or None,
                               latex=True)
