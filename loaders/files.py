"""NetworkX file formats: GraphML, GEXF and node-link JSON, written atomically and read back intact.

GraphML and GEXF hold only scalar attributes, so list attributes (aliases, keys, authors, sources,
entities, via) are stored there as JSON strings (loaders/xml_graphs.py writes both formats as a stream)
and decoded again on reading.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import networkx as nx
import orjson

from kg.atomic import atomic_output
from kg.collector import collector_paused
from kg.errors import InputError
from kg.model import PaperEntities, json_bytes
from loaders import xml_graphs

__all__ = ["GRAPH_FILES", "atomic_output", "read_extractions", "read_graph", "write_extractions",
           "write_graph_files"]

LIST_ATTRIBUTES = frozenset({"aliases", "keys", "authors", "sources", "entities", "via"})
GRAPH_FILES = {"graphml": "graph.graphml", "gexf": "graph.gexf", "json": "graph.json"}


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


def _decode(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    return _map_attributes(graph, lambda _, value: orjson.loads(value) if isinstance(value, str) else value)


def write_graphml(graph: nx.MultiDiGraph, path: Path, types: xml_graphs.AttributeTypes | None = None) -> None:
    with atomic_output(path, "wb") as handle:
        xml_graphs.write_graphml(graph, handle, types=types)


def read_graphml(path: Path) -> nx.MultiDiGraph:
    return _decode(nx.MultiDiGraph(nx.read_graphml(path, force_multigraph=True)))


def write_gexf(graph: nx.MultiDiGraph, path: Path, types: xml_graphs.AttributeTypes | None = None) -> None:
    with atomic_output(path, "wb") as handle:
        xml_graphs.write_gexf(graph, handle, label=lambda node, data: data.get("name") or data.get("title") or node,
                              types=types)


def read_gexf(path: Path) -> nx.MultiDiGraph:
    """Edges are keyed by their `rel` attribute again: GEXF has no edge keys, and whether NetworkX's
    own `networkx_key` attribute survives depends on its version and on the tools the file went through."""
    read = nx.read_gexf(path)
    graph = nx.MultiDiGraph()
    graph.graph.update(read.graph)
    for node, data in read.nodes(data=True):
        graph.add_node(node, **{k: v for k, v in data.items() if k != "label"})
    for source, target, key, data in read.edges(keys=True, data=True):
        data = {k: v for k, v in data.items() if k not in ("id", "label", "networkx_key")}
        graph.add_edge(source, target, key=data.get("rel", key), **data)
    return _decode(graph)


def write_node_link(graph: nx.MultiDiGraph, path: Path) -> None:
    """`nx.node_link_data(graph, edges="links")` as compact JSON, written node by node and edge by edge
    instead of through one copy of the whole graph."""
    with atomic_output(path, "wb") as handle:
        handle.write(b'{"directed":true,"multigraph":true,"graph":' + json_bytes(graph.graph) + b',"nodes":[')
        for i, (node, data) in enumerate(graph.nodes(data=True)):
            handle.write((b"," if i else b"") + json_bytes({**data, "id": node}))
        handle.write(b'],"links":[')
        for i, (source, target, key, data) in enumerate(graph.edges(keys=True, data=True)):
            handle.write((b"," if i else b"") + json_bytes({**data, "source": source, "target": target, "key": key}))
        handle.write(b"]}")


def read_node_link(path: Path) -> nx.MultiDiGraph:
    return nx.node_link_graph(orjson.loads(path.read_bytes()), directed=True, multigraph=True, edges="links")


READERS: dict[str, Callable[[Path], nx.MultiDiGraph]] = {
    "graphml": read_graphml, "gexf": read_gexf, "json": read_node_link}


def write_graph_files(graph: nx.MultiDiGraph, out_dir: Path) -> dict[str, Path]:
    """Write the graph in every format into `out_dir`; returns format -> path."""
    types = xml_graphs.AttributeTypes.of(graph)  # one pass over the attributes for both XML formats
    written = {fmt: out_dir / filename for fmt, filename in GRAPH_FILES.items()}
    write_graphml(graph, written["graphml"], types)
    write_gexf(graph, written["gexf"], types)
    write_node_link(graph, written["json"])
    return written


def _check_schema(graph: nx.MultiDiGraph) -> None:
    """The attributes the queries rely on; ValueError naming the first node or edge without them."""
    needs = {"Paper": ("title",), "Entity": ("name", "type")}
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        if kind not in needs:
            raise ValueError(f"node {str(node)[:80]!r} has no kind Paper or Entity: not a paper-kg graph")
        missing = [name for name in needs[kind] if not isinstance(data.get(name), str)]
        if missing:
            raise ValueError(f"{kind} node {str(node)[:80]!r} has no {missing[0]}")
    for source, target, key in graph.edges(keys=True):
        if not isinstance(key, str) or not key.isupper():
            raise ValueError(f"edge {str(source)[:60]!r} -> {str(target)[:60]!r} has no relation type")


@collector_paused()
def read_graph(path: Path) -> nx.MultiDiGraph:
    """Read a graph file (by suffix), or the node-link JSON inside a build output directory.

    Raises InputError (one line) for a path that is no graph file, does not exist, or holds a damaged
    or foreign graph (truncated XML, a JSON document without nodes, ...)."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        path = path / GRAPH_FILES["json"]
    fmt = {".graphml": "graphml", ".gexf": "gexf", ".json": "json"}.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: not a graph file (expected .graphml, .gexf or .json)")
    if not path.exists():
        raise InputError(f"{path}: no graph there; run `kg build` first")
    try:
        graph = READERS[fmt](path)
        _check_schema(graph)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except Exception as exc:  # noqa: BLE001 (truncated XML, a JSON document of another shape: whatever the parser says)
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise InputError(f"{path}: not a readable {fmt} graph ({reason}); rebuild it with `kg build`") from None
    return graph


def write_extractions(corpus: list[PaperEntities], path: Path) -> None:
    """The `kg extract` contract: one JSON object per unique paper (see PaperEntities.to_json)."""
    with atomic_output(path, "wb") as handle:
        for item in corpus:
            handle.write(json_bytes(item.to_json()) + b"\n")


def read_extractions(path: Path) -> list[PaperEntities]:
    """Inverse of write_extractions."""
    with Path(path).open("rb") as handle:
        return [PaperEntities.from_json(orjson.loads(line)) for line in handle if line.strip()]
