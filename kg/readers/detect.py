"""Format detection and the read stage's entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from kg.readers.base import InputError, RawRecord, ReadIssue, ReadResult, merge_records
from kg.readers.seed_page import is_furniture, read_seed_page
from kg.readers.tabular import read_csv, read_jsonl

Reader = Callable[[Path, str], Iterator[RawRecord | ReadIssue]]
READERS_BY_SUFFIX: dict[str, Reader] = {
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".txt": read_seed_page,
}
SUPPORTED = "seed pages (.txt), JSONL (.jsonl) or CSV (.csv)"


def detect_reader(path: Path, text: str) -> Reader:
    """Pick a reader from the suffix, then from the content; raise InputError if none fits."""
    reader = READERS_BY_SUFFIX.get(path.suffix.lower())
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if reader is None:
        if first.startswith("{"):
            reader = read_jsonl
        elif "title" in first.lower().split(",") or first.lower().startswith("title,"):
            reader = read_csv
        elif is_furniture(first):
            reader = read_seed_page
    if reader is None or (reader is read_seed_page and first.startswith(("{", "<", "%PDF"))):
        raise InputError(f"{path}: not a known input format (expected {SUPPORTED})")
    return reader


def expand_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Files as given, directories expanded to their supported files in name order."""
    files: list[Path] = []
    for item in inputs:
        if item.is_dir():
            files.extend(sorted(p for p in item.iterdir() if p.is_file() and p.suffix.lower() in READERS_BY_SUFFIX))
        elif item.is_file():
            files.append(item)
        else:
            raise InputError(f"{item}: no such file or directory")
    if not files:
        raise InputError(f"no input files found in {', '.join(map(str, inputs))} (expected {SUPPORTED})")
    return files


def read_papers(inputs: Iterable[Path | str]) -> ReadResult:
    """Read every input file and merge repeated papers; bad records become issues, not exceptions.

    A file in no known format is reported as an issue too, so the other files still load.
    """
    result = ReadResult()
    for path in expand_inputs(Path(p) for p in inputs):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            result.issues.append(ReadIssue(str(path), 1, f"not UTF-8 text ({exc.reason}); file skipped"))
            continue
        try:
            reader = detect_reader(path, text)
        except InputError as exc:
            result.issues.append(ReadIssue(str(path), 1, str(exc).split(": ", 1)[1]))
            continue
        records: list[RawRecord] = []
        for item in reader(path, text):
            if isinstance(item, ReadIssue):
                result.issues.append(item)
            else:
                records.append(item)
        merge_records(records, result)
    return result
