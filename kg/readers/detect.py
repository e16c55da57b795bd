"""The read stage's entry point: inputs -> files -> bytes -> text -> format -> records -> papers.

Every problem with one file or one record becomes a ReadIssue (`file:line: reason`) and the rest is
still read; only a path that does not exist, or inputs with no file at all, stop the read.
"""

from __future__ import annotations

import glob
import os
import re
import stat
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.readers.arxiv_atom import is_atom_feed, read_atom
from kg.readers.base import InputError, RawRecord, ReadIssue, ReadResult, merge_records
from kg.readers.bibtex import looks_like_bibtex, read_bibtex
from kg.readers.json_records import read_json
from kg.readers.seed_page import is_furniture, read_seed_page
from kg.readers.tabular import header_delimiter, read_csv, read_tsv
from kg.readers.text import NotText, decode

Reader = Callable[[Path, str], Iterator[RawRecord | ReadIssue]]
READERS_BY_SUFFIX: dict[str, Reader] = {
    ".jsonl": read_json,
    ".ndjson": read_json,
    ".jsonlines": read_json,
    ".json": read_json,
    ".csv": read_csv,
    ".tsv": read_tsv,
    ".tab": read_tsv,
    ".txt": read_seed_page,
    ".bib": read_bibtex,
    ".bibtex": read_bibtex,
    ".xml": read_atom,
    ".atom": read_atom,
}
SUPPORTED = "a seed page, JSON or JSON lines, CSV/TSV, BibTeX or an arXiv Atom feed; see README 'Inputs'"
STDIN = Path("<stdin>")
_HEADER = re.compile(r'"?[\w .-]{1,40}"?(?:,"?[\w .-]{0,40}"?)+')  # a header row of short column names
MAX_INPUT_BYTES = 4 << 30  # 4 GiB read (or decompressed) from one input
_WILDCARD = re.compile(r"[*?[]")


class NoPapersError(InputError):
    """The inputs held no readable paper; `issues` says why, file by file."""

    def __init__(self, message: str, issues: list[ReadIssue]) -> None:
        super().__init__(message)
        self.issues = issues


def _suffix(path: Path) -> str:
    name = path.name.lower()
    name = name.removesuffix(".gz")
    return Path(name).suffix


def detect_reader(path: Path, text: str) -> Reader:
    """Pick a reader from the content where it is unmistakable, else the suffix, else weaker content
    signs; raise InputError (one line) if none fits."""
    head = text[:65536].lstrip("\ufeff \t\r\n")
    first = next((line.strip() for line in head.splitlines() if line.strip()), "")
    suffix_reader = READERS_BY_SUFFIX.get(_suffix(path))
    content_reader: Reader | None = None
    if head.startswith(("{", "[")):
        content_reader = read_json
    elif head.startswith("<"):
        if is_atom_feed(head) or suffix_reader is read_atom:
            content_reader = read_atom
        else:
            raise InputError(f"{path}: XML or HTML that is not an Atom feed: not a known input format "
                             f"(expected {SUPPORTED})")
    elif head.startswith(("@", "%")) and looks_like_bibtex(head):
        content_reader = read_bibtex
    if content_reader is not None:
        return content_reader
    delimiter = header_delimiter(first)
    if suffix_reader is read_seed_page and delimiter and _HEADER.fullmatch(first.replace(delimiter, ",")):
        return read_tsv if delimiter == "\t" else read_csv  # a tab- or comma-separated export saved as .txt
    if suffix_reader is not None and suffix_reader is not read_json:
        return suffix_reader
    if delimiter is not None:
        return read_tsv if delimiter == "\t" else read_csv
    if is_furniture(first):
        return read_seed_page
    if suffix_reader is not None:
        return suffix_reader
    raise InputError(f"{path}: not a known input format (expected {SUPPORTED})")


def _walk(folder: Path, files: list[Path], issues: list[ReadIssue], seen_dirs: set[str]) -> None:
    """The files of a folder and its subfolders, in name order; what cannot be read is reported."""
    try:
        real = os.path.realpath(folder)
        if real in seen_dirs:
            issues.append(ReadIssue(str(folder), 0, "folder already read (a symbolic link loop?); skipped"))
            return
        seen_dirs.add(real)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        issues.append(ReadIssue(str(folder), 0, f"cannot list the folder ({exc.strerror or exc}); skipped"))
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue  # hidden files (.DS_Store, .git) are no input
        try:
            if entry.is_symlink() and not os.path.exists(path):
                problem = "a symbolic link loop" if _is_loop(path) else "a broken symbolic link"
                issues.append(ReadIssue(str(path), 0, f"{problem}; skipped"))
            elif entry.is_dir():
                _walk(path, files, issues, seen_dirs)
            elif entry.is_file():
                files.append(path)
            else:
                issues.append(ReadIssue(str(path), 0, "not a regular file; skipped"))
        except OSError as exc:
            issues.append(ReadIssue(str(path), 0, f"cannot be read ({exc.strerror or exc}); skipped"))


def _is_loop(path: Path) -> bool:
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == 40  # ELOOP
    return False


def _glob_matches(item: Path) -> list[Path]:
    """The paths a glob pattern names (`data/*.jsonl.gz`; `**` for any depth), in name order; a path
    that exists, or has no wildcard, stands for itself. A pattern matching nothing raises InputError."""
    if str(item) == "-" or os.path.lexists(item) or not _WILDCARD.search(str(item)):
        return [item]
    matches = sorted(glob.glob(str(item), recursive=True))
    if not matches:
        raise InputError(f"{item}: no file or folder matches this pattern")
    return [Path(match) for match in matches]


def expand_inputs(inputs: Iterable[Path], issues: list[ReadIssue] | None = None) -> list[Path]:
    """Files as given (`-` is standard input), glob patterns expanded, folders expanded to their files
    (subfolders too).

    A named path that does not exist, or a pattern that matches nothing, raises InputError; an
    unreadable or odd file found inside a folder is reported in `issues` and left out.
    """
    issues = [] if issues is None else issues
    inputs = list(inputs)
    files: list[Path] = []
    seen_dirs: set[str] = set()
    for item in (path for pattern in inputs for path in _glob_matches(pattern)):
        if str(item) == "-":
            files.append(STDIN)
        elif item.is_dir():
            _walk(item, files, issues, seen_dirs)
        elif item.is_file():
            files.append(item)
        elif item.exists() and stat.S_ISFIFO(item.stat().st_mode):
            files.append(item)  # a pipe, as from the shell's <(...)
        elif item.is_symlink():
            raise InputError(f"{item}: {'symbolic link loop' if _is_loop(item) else 'broken symbolic link'}")
        elif item.exists():
            raise InputError(f"{item}: not a regular file")
        else:
            raise InputError(f"{item}: no such file or directory")
    unique: list[Path] = []
    seen: set[str] = set()
    for path in files:
        key = str(path) if path is STDIN else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    if not unique:
        raise NoPapersError(f"no input files found in {', '.join(map(str, inputs))} (expected {SUPPORTED})", issues)
    return unique


def _read_limited(stream, what: str) -> bytes:  # type: ignore[no-untyped-def]
    data = stream.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise OSError(f"{what} is larger than {MAX_INPUT_BYTES >> 30} GiB")
    return data


def load_bytes(path: Path) -> bytes:
    """The bytes of one input (standard input for `-`); raises OSError."""
    if path is STDIN:
        return _read_limited(sys.stdin.buffer, "standard input")
    with open(path, "rb") as stream:
        return _read_limited(stream, "the file")


def gunzip(data: bytes, path: Path, issues: list[ReadIssue]) -> bytes | None:
    """Decompress gzip data (all members); a truncated or damaged stream keeps what came before the break."""
    out = bytearray()
    rest = data
    while rest:
        stream = zlib.decompressobj(wbits=31)
        try:
            for start in range(0, len(rest), 1 << 16):
                out += stream.decompress(rest[start:start + (1 << 16)])
                if len(out) > MAX_INPUT_BYTES:
                    issues.append(ReadIssue(str(path), 0, f"decompresses to more than {MAX_INPUT_BYTES >> 30} GiB; "
                                                          "file skipped"))
                    return None
                if stream.eof:
                    break
        except zlib.error as exc:
            issues.append(ReadIssue(str(path), 0, f"damaged gzip data ({exc}); read what came before the damage"))
            break
        if not stream.eof:
            issues.append(ReadIssue(str(path), 0, "compressed data ends early (a truncated .gz); read what came "
                                                  "before the break"))
            break
        rest = stream.unused_data.lstrip(b"\x00")  # the next member, if any (zero padding allowed)
        if rest and not rest.startswith(b"\x1f\x8b"):
            issues.append(ReadIssue(str(path), 0, "bytes after the end of the gzip data; ignored"))
            break
    return bytes(out)


def read_file(path: Path, issues: list[ReadIssue], location: Path | None = None) -> list[RawRecord]:
    """The records of one input; all its problems go to `issues`. The file is opened at `location` when
    given (a Dask worker, with its own working directory), named `path` in sources and issues."""
    where = str(path)
    try:
        data = load_bytes(location or path)
    except OSError as exc:
        issues.append(ReadIssue(where, 0, f"cannot be read ({exc.strerror or exc}); skipped"))
        return []
    if data.startswith(b"\x1f\x8b"):
        data = gunzip(data, path, issues)
        if data is None:
            return []
    if not data.strip():
        issues.append(ReadIssue(where, 0, "empty file; nothing read"))
        return []
    try:
        text, note = decode(data)
    except NotText:
        issues.append(ReadIssue(where, 0, "a binary file, not text; skipped"))
        return []
    del data
    if note:
        issues.append(ReadIssue(where, 0, note))
    if not text.strip("\ufeff\x00 \t\r\n"):
        issues.append(ReadIssue(where, 0, "no text in the file; nothing read"))
        return []
    try:
        reader = detect_reader(path, text)
    except InputError as exc:
        issues.append(ReadIssue(where, 0, str(exc).split(": ", 1)[1]))
        return []
    records: list[RawRecord] = []
    try:
        for item in reader(path, text):
            if isinstance(item, ReadIssue):
                issues.append(item)
            else:
                records.append(item)
    except (RecursionError, MemoryError) as exc:
        issues.append(ReadIssue(where, 0, f"{type(exc).__name__} while reading; the rest of the file skipped"))
    except Exception as exc:  # a reader's bug must not lose the other files or show a traceback
        issues.append(ReadIssue(where, 0, f"could not be read ({type(exc).__name__}: {exc}); the rest of the file "
                                          "skipped"))
    return records


def read_papers(inputs: Iterable[Path | str], at_least_one: bool = False) -> ReadResult:
    """Read every input and merge repeated papers; bad records and files become issues, not exceptions.

    Raises InputError only for a named path that does not exist or inputs with no files at all, and,
    with `at_least_one`, NoPapersError (carrying the issues) when no paper at all was read.
    """
    inputs = [Path(p) for p in inputs]
    result = ReadResult()
    for path in expand_inputs(inputs, result.issues):
        merge_records(read_file(path, result.issues), result)
    if at_least_one:
        require_papers(result, inputs)
    return result


def require_papers(result: ReadResult, inputs: Iterable[Path | str]) -> None:
    """Raise NoPapersError (carrying the issues) when the read found no paper at all."""
    if not result.papers:
        names = ", ".join(str(p) for p in inputs)
        raise NoPapersError(f"no papers read from {names} ({len(result.issues)} problem(s) reported above); "
                            "nothing written", result.issues)
