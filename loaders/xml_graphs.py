"""GraphML and GEXF written as a stream of text, in the layout NetworkX writes and reads.

NetworkX's own writers build an element per attribute and infer each attribute's type element by
element; at 100k papers that costs more than extracting them. These write the same documents in one
pass over the graph (a first pass only collects attribute types), with no date in them, so the same
graph always gives the same bytes. Lists and dicts are written as JSON strings.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import IO

import networkx as nx

_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_ATTRIBUTE_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                                    "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
_HEADER = "<?xml version='1.0' encoding='utf-8'?>\n"
_WRITE_BLOCK = 1 << 16  # characters gathered before each write


def _text(value: object) -> str:
    return str(value).translate(_TEXT_ESCAPES)


def _attribute(value: object) -> str:
    return str(value).translate(_ATTRIBUTE_ESCAPES)


def _attribute_types(items: Iterable[dict]) -> dict[str, str]:
    """Attribute name -> XML type, in first-seen order; ints and floats together make a double."""
    types: dict[str, str] = {}
    for data in items:
        for name, value in data.items():
            kind = _TYPES.get(type(value), "string")
            seen = types.get(name)
            if seen is None:
                types[name] = kind
            elif seen != kind:
                types[name] = "double" if {seen, kind} == {"long", "double"} else "string"
    return types


def _value(value: object, kind: str) -> object:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if kind == "boolean":
        return "true" if value else "false"
    return float(value) if kind == "double" and not isinstance(value, bool) else value


def _buffered(handle: IO[bytes], parts: Iterator[str]) -> None:
    block: list[str] = []
    size = 0
    for part in parts:
        block.append(part)
        size += len(part)
        if size >= _WRITE_BLOCK:
            handle.write("".join(block).encode("utf-8"))
            block, size = [], 0
    handle.write("".join(block).encode("utf-8"))


def write_graphml(graph: nx.MultiDiGraph, handle: IO[bytes]) -> None:
    """`graph` as GraphML (edge ids are the edge keys), readable by `nx.read_graphml(force_multigraph=True)`."""
    _buffered(handle, _graphml_parts(graph))


def _graphml_parts(graph: nx.MultiDiGraph) -> Iterator[str]:
    node_types = _attribute_types(data for _, data in graph.nodes(data=True))
    edge_types = _attribute_types(data for *_, data in graph.edges(data=True))
    graph_types = _attribute_types([graph.graph])
    ids: dict[tuple[str, str], str] = {}
    yield _HEADER
    yield ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    for scope, types in (("graph", graph_types), ("node", node_types), ("edge", edge_types)):
        for name, kind in types.items():
            key = ids[scope, name] = f"d{len(ids)}"
            yield f'  <key id="{key}" for="{scope}" attr.name="{_attribute(name)}" attr.type="{kind}" />\n'
    yield '  <graph edgedefault="directed">\n'
    for name, value in graph.graph.items():
        yield f'    <data key="{ids["graph", name]}">{_text(_value(value, graph_types[name]))}</data>\n'
    for node, data in graph.nodes(data=True):
        yield f'    <node id="{_attribute(node)}">\n'
        for name, value in data.items():
            yield f'      <data key="{ids["node", name]}">{_text(_value(value, node_types[name]))}</data>\n'
        yield "    </node>\n"
    for source, target, key, data in graph.edges(keys=True, data=True):
        yield f'    <edge source="{_attribute(source)}" target="{_attribute(target)}" id="{_attribute(key)}">\n'
        for name, value in data.items():
            yield f'      <data key="{ids["edge", name]}">{_text(_value(value, edge_types[name]))}</data>\n'
        yield "    </edge>\n"
    yield "  </graph>\n</graphml>\n"


def write_gexf(graph: nx.MultiDiGraph, handle: IO[bytes],
               label: Callable[[object, dict], object] = lambda node, _: node) -> None:
    """`graph` as GEXF 1.2, each node labelled `label(node, data)`, readable by `nx.read_gexf`."""
    _buffered(handle, _gexf_parts(graph, label))


def _gexf_parts(graph: nx.MultiDiGraph, label: Callable[[object, dict], object]) -> Iterator[str]:
    node_types = _attribute_types(data for _, data in graph.nodes(data=True))
    edge_types = _attribute_types(data for *_, data in graph.edges(data=True))
    node_ids = {name: str(i) for i, name in enumerate(node_types)}
    edge_ids = {name: str(len(node_ids) + i) for i, name in enumerate(edge_types)}
    name = graph.graph.get("name", "")
    yield _HEADER
    yield ('<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n')
    yield "  <meta>\n    <creator>paper-kg</creator>\n  </meta>\n"
    yield f'  <graph defaultedgetype="directed" mode="static" name="{_attribute(name)}">\n'
    for scope, types, ids in (("edge", edge_types, edge_ids), ("node", node_types, node_ids)):
        yield f'    <attributes mode="static" class="{scope}">\n'
        for attribute, kind in types.items():
            yield f'      <attribute id="{ids[attribute]}" title="{_attribute(attribute)}" type="{kind}" />\n'
        yield "    </attributes>\n"
    yield "    <nodes>\n"
    for node, data in graph.nodes(data=True):
        yield f'      <node id="{_attribute(node)}" label="{_attribute(label(node, data))}">\n        <attvalues>\n'
        for attribute, value in data.items():
            yield (f'          <attvalue for="{node_ids[attribute]}" '
                   f'value="{_attribute(_value(value, node_types[attribute]))}" />\n')
        yield "        </attvalues>\n      </node>\n"
    yield "    </nodes>\n    <edges>\n"
    for number, (source, target, data) in enumerate(graph.edges(data=True)):
        yield (f'      <edge source="{_attribute(source)}" target="{_attribute(target)}" id="{number}">\n'
               "        <attvalues>\n")
        for attribute, value in data.items():
            yield (f'          <attvalue for="{edge_ids[attribute]}" '
                   f'value="{_attribute(_value(value, edge_types[attribute]))}" />\n')
        yield "        </attvalues>\n      </edge>\n"
    yield "    </edges>\n  </graph>\n</gexf>\n"
