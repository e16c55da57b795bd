"""The graph as CSV files for `neo4j-admin database import full` (`kg export csv`, `kg load neo4j --bulk`):
the nodes, relationships and properties the Bolt loader writes (`loaders.neo4j_records`), `kg_hash`
included, so a later `kg load neo4j` writes only what changed.

* one node file per label set, with the header ``id:ID,:LABEL,kg_hash:long,<property>[:type],...``;
* one relationship file per type, ``:START_ID,:END_ID,:TYPE,kg_hash:long,<property>[:type],...``;
* a property whose values differ in type within a file (an int here, a string there) moves the rows
  that disagree to a second file of the same kind, so each row keeps its own types;
* strings are quoted (inner quotes doubled, RFC 4180), numbers and booleans written as Neo4j reads
  them, lists as ``string[]``/``long[]``/``double[]``/``boolean[]`` joined by U+001F (which the
  readers remove from every input text); files with a line break inside a value are named in
  ``--multiline-fields``.

neo4j-admin import cannot store an empty list (an empty field is no value) nor a list whose items hold
U+001F: those values are left out of the files and listed in `CsvExport.deferred`, which
`loaders.neo4j_bulk` sets over Bolt after the import. `neo4j-admin.args` holds the import options,
for running neo4j-admin by hand in the export directory.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from kg.atomic import check_output_dir, replace_directory
from kg.collector import collector_paused
from kg.errors import InputError
from loaders.neo4j_records import HASH_PROPERTY, node_records, relationship_records

ARRAY_DELIMITER = "\x1f"
ARGS_FILE = "neo4j-admin.args"
_BAD_HEADER_CHARACTERS = frozenset(':,"\n\r') | {ARRAY_DELIMITER}


@dataclass
class DeferredProperties:
    """Properties the CSV files leave out, for one node (`end` empty) or relationship."""

    kind: str  # the node's kind label, or the relationship's type
    start: str  # node id, or the relationship's start id
    properties: dict[str, Any]
    end: str = ""
    start_kind: str = ""
    end_kind: str = ""


@dataclass
class CsvExport:
    """The files `write_import_csv` wrote into `directory`."""

    directory: Path
    node_files: list[str] = field(default_factory=list)
    relationship_files: list[str] = field(default_factory=list)
    multiline_files: list[str] = field(default_factory=list)
    nodes: int = 0
    relationships: int = 0
    deferred: list[DeferredProperties] = field(default_factory=list)

    def admin_arguments(self, folder: Path | None = None) -> list[str]:
        """The `neo4j-admin database import full` options reading these files from `folder`
        (default: their directory; `Path()` for names relative to the working directory)."""
        base = self.directory if folder is None else folder
        arguments = [f"--nodes={base / name}" for name in self.node_files]
        arguments += [f"--relationships={base / name}" for name in self.relationship_files]
        arguments.append("--array-delimiter=U+001F")
        if self.multiline_files:
            arguments += ["--multiline-fields-format=v2",
                          f"--multiline-fields={','.join(str(base / name) for name in self.multiline_files)}"]
        return arguments


# --------------------------------------------------------------------------- values


def _column_type(value: Any) -> str | None:
    """The neo4j-admin type of a property value; None when CSV cannot hold it (see the module docstring)."""
    kind = type(value)
    if kind is str:
        return "string"
    if kind is bool:
        return "boolean"
    if kind is int:
        return "long"
    if kind is float:
        return "double"
    if not value or any(type(v) is str and (ARRAY_DELIMITER in v or not v) for v in value):
        return None  # empty, or items that do not survive the split: set over Bolt after the import
    if all(type(v) is str for v in value):
        return "string[]"
    if all(type(v) is bool for v in value):
        return "boolean[]"
    if all(type(v) is int for v in value):
        return "long[]"
    return "double[]"


def _number(value: int | float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return repr(value)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _field(value: Any, column_type: str) -> str:
    if column_type == "string":
        return _quoted(value)
    if column_type == "boolean":
        return "true" if value else "false"
    if column_type in ("long", "double"):
        return _number(value)
    if column_type == "string[]":
        return _quoted(ARRAY_DELIMITER.join(value))
    if column_type == "boolean[]":
        return ARRAY_DELIMITER.join("true" if v else "false" for v in value)
    return ARRAY_DELIMITER.join(_number(v) for v in value)


@functools.cache
def _header_name(name: str) -> str:
    if _BAD_HEADER_CHARACTERS & set(name) or not name:
        raise InputError(f"the graph has a property named {name!r}, which cannot be a neo4j-admin CSV header")
    return name


# --------------------------------------------------------------------------- files


@dataclass
class _CsvFile:
    """Rows of one node label set or relationship type whose property types agree."""

    name: str
    id_columns: list[str]  # header of the leading columns: id:ID,:LABEL or :START_ID,:END_ID,:TYPE
    types: dict[str, str] = field(default_factory=dict)  # property -> neo4j-admin type, in order of appearance
    rows: list[tuple[list[str], dict[str, Any]]] = field(default_factory=list)  # (leading fields, properties)

    def accepts(self, types: dict[str, str]) -> bool:
        own = self.types
        return all(own.get(key, kind) == kind for key, kind in types.items())

    def write(self, path: Path) -> bool:
        """Write the file; True when a value holds a line break."""
        columns = list(self.types)
        header = [*self.id_columns, f"{HASH_PROPERTY}:long"]
        header += [name if kind == "string" else f"{name}:{kind}" for name, kind in self.types.items()]
        multiline = False
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(",".join(header) + "\n")
            for leading, properties in self.rows:
                line = ",".join([*leading, *(_field(properties[c], self.types[c]) if c in properties else ""
                                             for c in columns)])
                multiline = multiline or "\n" in line or "\r" in line
                handle.write(line + "\n")
        return multiline


def _place(files: dict[str, list[_CsvFile]], group: str, id_columns: list[str], leading: list[str],
           properties: dict[str, Any], deferred: dict[str, Any]) -> None:
    """Put one row into the first file of its group whose types agree, else a new file; the values
    CSV cannot hold go to `deferred`."""
    types = {}
    for key, value in properties.items():
        kind = _column_type(value)
        if kind is None:
            deferred[key] = value
        else:
            types[_header_name(key)] = kind
    kept = {key: value for key, value in properties.items() if key in types}
    candidates = files.setdefault(group, [])
    target = next((f for f in candidates if f.accepts(types)), None)
    if target is None:
        suffix = f"-{len(candidates) + 1}" if candidates else ""
        target = _CsvFile(f"{group}{suffix}.csv", id_columns)
        candidates.append(target)
    for key, kind in types.items():
        target.types.setdefault(key, kind)
    target.rows.append((leading, kept))


def export_csv(graph: nx.MultiDiGraph, out_dir: Path) -> CsvExport:
    """Write the import files as the directory `out_dir`, swapped in whole (kg.atomic.replace_directory):
    it must be new, empty or a previous export (OutputError otherwise)."""
    target = check_output_dir(out_dir, marker=ARGS_FILE)
    exports: list[CsvExport] = []
    replace_directory(target, lambda fresh: exports.append(write_import_csv(graph, fresh)))
    exports[0].directory = target
    return exports[0]


@collector_paused()
def write_import_csv(graph: nx.MultiDiGraph, directory: Path) -> CsvExport:
    """Write the graph's neo4j-admin import files into `directory` (created; see the module docstring)."""
    directory.mkdir(parents=True, exist_ok=True)
    export = CsvExport(directory)
    node_files: dict[str, list[_CsvFile]] = {}
    for record in node_records(graph):
        deferred: dict[str, Any] = {}
        leading = [_quoted(record.id), ARRAY_DELIMITER.join(record.labels), str(record.hash)]
        _place(node_files, "nodes-" + "-".join(record.labels), ["id:ID", ":LABEL"], leading,
               record.properties, deferred)
        if deferred:
            export.deferred.append(DeferredProperties(record.labels[0], record.id, deferred))
        export.nodes += 1
    relationship_files: dict[str, list[_CsvFile]] = {}
    for record in relationship_records(graph):
        deferred = {}
        leading = [_quoted(record.start), _quoted(record.end), record.type, str(record.hash)]
        _place(relationship_files, f"relationships-{record.type}", [":START_ID", ":END_ID", ":TYPE"], leading,
               record.properties, deferred)
        if deferred:
            export.deferred.append(DeferredProperties(record.type, record.start, deferred, record.end,
                                                      record.start_kind, record.end_kind))
        export.relationships += 1
    for files, names in ((node_files, export.node_files), (relationship_files, export.relationship_files)):
        for csv_file in (csv_file for group in files.values() for csv_file in group):
            if csv_file.write(directory / csv_file.name):
                export.multiline_files.append(csv_file.name)
            names.append(csv_file.name)
    with open(directory / ARGS_FILE, "w", encoding="utf-8") as handle:
        handle.write("\n".join(export.admin_arguments(Path())) + "\n")
    return export
