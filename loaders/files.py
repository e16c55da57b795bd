"""NetworkX file formats: GraphML, GEXF and node-link JSON, written atomically and read back intact.

GraphML and GEXF hold only scalar attributes, so list attributes (aliases, keys, authors, sources,
entities, via) are stored there as JSON strings and decoded again on reading.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import networkx as nx

from kg.errors import InputError
from kg.model import PaperEntities

LIST_ATTRIBUTES = frozenset({"aliases", "keys", "authors", "sources", "entities", "via"})
GRAPH_FILES = {"graphml": "graph.graphml", "gexf": "graph.gexf", "json": "graph.json"}


@contextmanager
def atomic_output(path: Path, mode: str = "w") -> Iterator[IO]:
    """Write to a temporary file beside `path` and move it into place only when writing succeeded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; outputs get ordinary permissions
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _map_attributes(graph: nx.MultiDiGraph, convert: Callable[[str, object], object]) -> nx.MultiDiGraph:
    """A copy of `graph` with every list attribute passed through `convert`."""
    out = graph.copy()
    for _, data in out.nodes(data=True):
        for key in LIST_ATTRIBUTES & data.keys():
            data[key] = convert(key, data[key])
    for *_, data in out.edges(keys=True, data=True):
        for key in LIST_ATTRIBUTES & data.keys():
            data[key] = convert(key, data[key])
    return out


def _encode(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return _map_attributes(graph, lambda _, value: json.dumps(value, ensure_ascii=False))


def _decode(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return _map_attributes(graph, lambda _, value: json.loads(value) if isinstance(value, str) else value)


def write_graphml(graph: nx.MultiDiGraph, path: Path) -> None:
    with atomic_output(path, "wb") as handle:
        nx.write_graphml(_encode(graph), handle, encoding="utf-8")


def read_graphml(path: Path) -> nx.MultiDiGraph:
    return _decode(nx.MultiDiGraph(nx.read_graphml(path, force_multigraph=True)))


def write_gexf(graph: nx.MultiDiGraph, path: Path) -> None:
    encoded = _encode(graph)
    for node, data in encoded.nodes(data=True):
        data.setdefault("label", data.get("name") or data.get("title") or node)
    with atomic_output(path, "wb") as handle:
        nx.write_gexf(encoded, handle, encoding="utf-8")


def read_gexf(path: Path) -> nx.MultiDiGraph:
    graph = _decode(nx.MultiDiGraph(nx.read_gexf(path)))
    for _, data in graph.nodes(data=True):
        data.pop("label", None)
    for *_, data in graph.edges(keys=True, data=True):
        data.pop("id", None)
    return graph


def write_node_link(graph: nx.MultiDiGraph, path: Path) -> None:
    with atomic_output(path) as handle:
        json.dump(nx.node_link_data(graph, edges="links"), handle, ensure_ascii=False)


def read_node_link(path: Path) -> nx.MultiDiGraph:
    with path.open(encoding="utf-8") as handle:
        return nx.node_link_graph(json.load(handle), directed=True, multigraph=True, edges="links")


WRITERS: dict[str, Callable[[nx.MultiDiGraph, Path], None]] = {
    "graphml": write_graphml, "gexf": write_gexf, "json": write_node_link}
READERS: dict[str, Callable[[Path], nx.MultiDiGraph]] = {
    "graphml": read_graphml, "gexf": read_gexf, "json": read_node_link}


def write_graph_files(graph: nx.MultiDiGraph, out_dir: Path) -> dict[str, Path]:
    """Write the graph in every format into `out_dir`; returns format -> path."""
    written = {}
    for fmt, filename in GRAPH_FILES.items():
        WRITERS[fmt](graph, out_dir / filename)
        written[fmt] = out_dir / filename
    return written


def read_graph(path: Path) -> nx.MultiDiGraph:
    """Read a graph file (by suffix), or the node-link JSON inside a build output directory.

    Raises InputError for a path that is no graph file or does not exist."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / GRAPH_FILES["json"]
    fmt = {".graphml": "graphml", ".gexf": "gexf", ".json": "json"}.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: not a graph file (expected .graphml, .gexf or .json)")
    if not path.exists():
        raise InputError(f"{path}: no graph there; run `kg build` first")
    try:
        return READERS[fmt](path)
    except (OSError, ValueError) as exc:  # unreadable or malformed
        raise InputError(str(exc)) from exc


def write_extractions(corpus: list[PaperEntities], path: Path) -> None:
    """The `kg extract` contract: one JSON object per unique paper (see PaperEntities.to_json)."""
    with atomic_output(path) as handle:
        for item in corpus:
            handle.write(json.dumps(item.to_json(), ensure_ascii=False) + "\n")


def read_extractions(path: Path) -> list[PaperEntities]:
    """Inverse of write_extractions."""
    with Path(path).open(encoding="utf-8") as handle:
        return [PaperEntities.from_json(json.loads(line)) for line in handle if line.strip()]
