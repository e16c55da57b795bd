"""What a build keeps for `kg add`: `corpus-state.jsonl.gz` in the output directory.

Line 1 is a header (format, version, the fingerprint of the extractor that ran, records read, the input
files read, the corpus pass's spellings);
then one line per paper in build order: the paper as read (after merging repeats) with its OWN
entities, as the extraction pipeline gave them before the corpus pass (confidences exact), and what
the corpus pass found in it (`kg.extract.resumable.PaperPass`). With it, `kg add` reads no old input
and runs no old paper through the pipeline again.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from kg.atomic import atomic_output
from kg.errors import InputError
from kg.extract.resumable import PaperPass, PassState
from kg.model import PaperEntities, json_bytes

STATE_FILE = "corpus-state.jsonl.gz"
STATE_FORMAT = "paper-kg corpus state"
STATE_VERSION = 1
COMPRESS_LEVEL = 1  # written on every build and add: speed over size


def own_record(item: PaperEntities) -> dict[str, Any]:
    """A paper and its own entities as `PaperEntities.to_json` writes them, confidences unrounded
    (the corpus pass votes with them)."""
    record = item.to_json()
    for entity, ref in zip(record["entities"], item.entities, strict=True):
        entity["confidence"] = ref.confidence
    return record


@dataclass
class CorpusState:
    """A build's read and extraction state: `records` are `own_record`s in build order, extracted by the
    extractor whose `kg.extract.pipeline.extractor_fingerprint` is `extractor`."""

    records_read: int
    files: list[str]
    records: list[dict[str, Any]]
    passed: PassState = field(default_factory=PassState)
    extractor: str = ""


def write_state(state: CorpusState, path: Path) -> None:
    """Write `state` to `path` atomically (gzip JSON lines, see the module docstring)."""
    header = {"format": STATE_FORMAT, "version": STATE_VERSION, "extractor": state.extractor,
              "records_read": state.records_read,
              "files": state.files, "surfaces": dict(sorted(state.passed.surfaces.items()))}
    with atomic_output(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb",
                                                          compresslevel=COMPRESS_LEVEL, mtime=0) as handle:
        handle.write(_line(header))
        for record, paper in zip(state.records, state.passed.papers, strict=True):
            handle.write(_line({"paper": record, "linked": paper.linked, "found": paper.found}))


def _line(value: Any) -> bytes:
    return json_bytes(value) + b"\n"


def read_state(out_dir: Path) -> CorpusState:
    """The state of the build in `out_dir`; InputError (one line) when there is none or it is damaged."""
    path = Path(out_dir) / STATE_FILE
    if not path.is_file():
        raise InputError(f"{out_dir}: not a paper-kg build with a corpus state (no {STATE_FILE}); "
                         "run `kg build` there first")
    try:
        with gzip.open(path, "rb") as handle:
            header = orjson.loads(handle.readline())
            if not isinstance(header, dict) or header.get("format") != STATE_FORMAT:
                raise ValueError("not a corpus state")
            if header.get("version") != STATE_VERSION:
                raise InputError(f"{path}: corpus state version {header.get('version')!r}, this paper-kg reads "
                                 f"version {STATE_VERSION}; rebuild with `kg build`")
            state = CorpusState(header["records_read"], header["files"], [], PassState(header["surfaces"]),
                                str(header.get("extractor", "")))
            for line in handle:
                entry = orjson.loads(line)
                state.records.append(entry["paper"])
                state.passed.papers.append(PaperPass(entry["linked"], [tuple(found) for found in entry["found"]]))
    except (OSError, EOFError, zlib.error, ValueError, KeyError, TypeError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise InputError(f"{path}: damaged corpus state ({reason}); rebuild with `kg build`") from None
    return state
