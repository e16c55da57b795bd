"""GraphML and GEXF written as a stream of text, in the layout NetworkX writes and reads.

NetworkX's own writers build an element per attribute and infer each attribute's type element by
element; at 100k papers that costs more than extracting them. These write the same documents in one
pass over the graph (a first pass only collects attribute types), with no date in them, so the same
graph always gives the same bytes. Lists and dicts are written as JSON strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

import networkx as nx

from kg.model import json_text

_TYPES = {bool: "boolean", int: "long", float: "double", str: "string"}
_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))  # "&" first
_ATTRIBUTE_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;"))
_HEADER = "<?xml version='1.0' encoding='utf-8'?>\n"
_WRITE_BLOCK = 1 << 16  # characters gathered before each write


def _escape(text: str, escapes: tuple[tuple[str, str], ...]) -> str:
    """`text` with each character of `escapes` replaced (chained `str.replace`: five times faster than
    `str.translate` on sentences)."""
    for character, entity in escapes:
        if character in text:
            text = text.replace(character, entity)
    return text


def _text(value: object) -> str:
    return _escape(str(value), _TEXT_ESCAPES)


def _attribute(value: object) -> str:
    return _escape(str(value), _ATTRIBUTE_ESCAPES)


@dataclass(frozen=True)
class AttributeTypes:
    """Each attribute's XML type, in first-seen order, for the graph, its nodes and its edges."""

    graph: dict[str, str]
    node: dict[str, str]
    edge: dict[str, str]

    @classmethod
    def of(cls, graph: nx.MultiDiGraph) -> AttributeTypes:
        return cls(_attribute_types([graph.graph]), _attribute_types(data for _, data in graph.nodes(data=True)),
                   _attribute_types(data for *_, data in graph.edges(data=True)))


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
        return json_text(value)
    if kind == "boolean":
        return "true" if value else "false"
    return float(value) if kind == "double" and not isinstance(value, bool) else value


def _formatter(kind: str, escapes: tuple[tuple[str, str], ...]) -> Callable[[object], str]:
    """`str(_value(value, kind))` escaped with `escapes`, with shortcuts for the common kinds: a long is
    an int (a mix with anything else is typed otherwise) and its digits need no escaping."""
    if kind == "long":
        return str
    if kind == "string":
        return lambda value: _escape(json_text(value) if isinstance(value, (list, dict))
                                     else str(value), escapes)
    return lambda value: _escape(str(_value(value, kind)), escapes)


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


def write_graphml(graph: nx.MultiDiGraph, handle: IO[bytes], types: AttributeTypes | None = None) -> None:
    """`graph` as GraphML (edge ids are the edge keys), readable by `nx.read_graphml(force_multigraph=True)`;
    `types`: the graph's `AttributeTypes`, when already known."""
    _buffered(handle, _graphml_parts(graph, types or AttributeTypes.of(graph)))


def _graphml_parts(graph: nx.MultiDiGraph, types: AttributeTypes) -> Iterator[str]:
    ids: dict[tuple[str, str], str] = {}
    yield _HEADER
    yield ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
           'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
    for scope, kinds in (("graph", types.graph), ("node", types.node), ("edge", types.edge)):
        for name, kind in kinds.items():
            key = ids[scope, name] = f"d{len(ids)}"
            yield f'  <key id="{key}" for="{scope}" attr.name="{_attribute(name)}" attr.type="{kind}" />\n'
    yield '  <graph edgedefault="directed">\n'
    for name, value in graph.graph.items():
        yield f'    <data key="{ids["graph", name]}">{_text(_value(value, types.graph[name]))}</data>\n'
    node_data = {name: (f'      <data key="{ids["node", name]}">', _formatter(kind, _TEXT_ESCAPES))
                 for name, kind in types.node.items()}
    escaped: dict[object, str] = {}  # node id -> as an attribute value, for its edges too
    for node, data in graph.nodes(data=True):
        escaped[node] = _attribute(node)
        lines = [f'    <node id="{escaped[node]}">\n']
        for name, value in data.items():
            opening, text = node_data[name]
            lines.append(f"{opening}{text(value)}</data>\n")
        lines.append("    </node>\n")
        yield "".join(lines)
    edge_data = {name: (f'      <data key="{ids["edge", name]}">', _formatter(kind, _TEXT_ESCAPES))
                 for name, kind in types.edge.items()}
    for source, target, key, data in graph.edges(keys=True, data=True):
        lines = [f'    <edge source="{escaped[source]}" target="{escaped[target]}" id="{_attribute(key)}">\n']
        for name, value in data.items():
            opening, text = edge_data[name]
            lines.append(f"{opening}{text(value)}</data>\n")
        lines.append("    </edge>\n")
        yield "".join(lines)
    yield "  </graph>\n</graphml>\n"


def write_gexf(graph: nx.MultiDiGraph, handle: IO[bytes],
               label: Callable[[object, dict], object] = lambda node, _: node,
               types: AttributeTypes | None = None) -> None:
    """`graph` as GEXF 1.2, each node labelled `label(node, data)`, readable by `nx.read_gexf`; `types`:
    the graph's `AttributeTypes`, when already known."""
    _buffered(handle, _gexf_parts(graph, label, types or AttributeTypes.of(graph)))


def _gexf_parts(graph: nx.MultiDiGraph, label: Callable[[object, dict], object],
                types: AttributeTypes) -> Iterator[str]:
    node_ids = {name: str(i) for i, name in enumerate(types.node)}
    edge_ids = {name: str(len(node_ids) + i) for i, name in enumerate(types.edge)}
    name = graph.graph.get("name", "")
    yield _HEADER
    yield ('<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">\n')
    yield "  <meta>\n    <creator>paper-kg</creator>\n  </meta>\n"
    yield f'  <graph defaultedgetype="directed" mode="static" name="{_attribute(name)}">\n'
    for scope, kinds, ids in (("edge", types.edge, edge_ids), ("node", types.node, node_ids)):
        yield f'    <attributes mode="static" class="{scope}">\n'
        for attribute, kind in kinds.items():
            yield f'      <attribute id="{ids[attribute]}" title="{_attribute(attribute)}" type="{kind}" />\n'
        yield "    </attributes>\n"
    yield "    <nodes>\n"
    node_values = {attribute: (f'          <attvalue for="{node_ids[attribute]}" value="',
                               _formatter(kind, _ATTRIBUTE_ESCAPES)) for attribute, kind in types.node.items()}
    escaped: dict[object, str] = {}  # node id -> as an attribute value, for its edges too
    for node, data in graph.nodes(data=True):
        escaped[node] = _attribute(node)
        lines = [f'      <node id="{escaped[node]}" label="{_attribute(label(node, data))}">\n        <attvalues>\n']
        for attribute, value in data.items():
            opening, text = node_values[attribute]
            lines.append(f'{opening}{text(value)}" />\n')
        lines.append("        </attvalues>\n      </node>\n")
        yield "".join(lines)
    yield "    </nodes>\n    <edges>\n"
    edge_values = {attribute: (f'          <attvalue for="{edge_ids[attribute]}" value="',
                               _formatter(kind, _ATTRIBUTE_ESCAPES)) for attribute, kind in types.edge.items()}
    for number, (source, target, data) in enumerate(graph.edges(data=True)):
        lines = [f'      <edge source="{escaped[source]}" target="{escaped[target]}" id="{number}">\n'
                 "        <attvalues>\n"]
        for attribute, value in data.items():
            opening, text = edge_values[attribute]
            lines.append(f'{opening}{text(value)}" />\n')
        lines.append("        </attvalues>\n      </edge>\n")
        yield "".join(lines)
    yield "    </edges>\n  </graph>\n</gexf>\n"
