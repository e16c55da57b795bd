"""The graph as Neo4j stores it, shared by the Bolt loader (`loaders.neo4j`) and the neo4j-admin CSV
export (`loaders.neo4j_csv`), so both write the same nodes, relationships and properties.

* a node gets ``:Paper``, or ``:Entity`` plus its type label (``:Model``, ``:Method``, ...), the
  property ``id`` (its NetworkX id) and every NetworkX attribute but ``kind`` (the label says it; lists
  as Neo4j lists, ``None`` omitted);
* a relationship gets its NetworkX key as type (PROPOSES, USES, ...) and every attribute but ``rel``
  (the type says it);
* both also get ``kg_hash``: a 64-bit hash of their labels or type and properties, which lets a later
  load compare the graph with what the database holds and write only what changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import networkx as nx
import orjson

from kg.errors import Neo4jError
from kg.model import ENTITY, PAPER, RELATION_TYPES, TYPE_LABELS

HASH_PROPERTY = "kg_hash"
TYPE_LABEL_SET = frozenset(TYPE_LABELS.values())
_SCALARS = (str, int, float, bool)


def property_value(value: Any) -> Any:
    """A NetworkX attribute as a Neo4j property value (None means: omit)."""
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is list and all(type(v) is str for v in value):  # the common case: names, aliases, sources
        return value
    if isinstance(value, (str, bool, int, float)):  # subclasses (numpy scalars are not: see below)
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        items = [v for v in items if v is not None]
        if all(isinstance(v, str) for v in items) or all(isinstance(v, bool) for v in items) \
                or all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in items):
            return items
        return [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in items]
    return json.dumps(value, ensure_ascii=False, default=str)


def content_hash(labels: tuple[str, ...] | str, properties: dict[str, Any]) -> int:
    """The `kg_hash` of a node (its labels) or relationship (its type) with these properties (orjson
    with sorted keys: three times faster than the json module)."""
    encoded = orjson.dumps([labels, properties], option=orjson.OPT_SORT_KEYS)
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "big", signed=True)


def node_kind(data: dict) -> str:
    kind = data.get("kind")
    if kind not in (PAPER, ENTITY):
        raise Neo4jError(f"graph node has kind {kind!r}; expected {PAPER} or {ENTITY}")
    return kind


def node_labels(data: dict) -> tuple[str, ...]:
    """("Paper",) or ("Entity", type label); labels come from the schema only, never from data."""
    if node_kind(data) == ENTITY:
        type_label = TYPE_LABELS.get(data.get("type"))
        return (ENTITY, type_label) if type_label else (ENTITY,)
    return (PAPER,)


def relationship_type(u: str, v: str, key: str, data: dict) -> str:
    rel = key if key in RELATION_TYPES else data.get("rel")
    if rel not in RELATION_TYPES:
        raise Neo4jError(f"edge {u!r} -> {v!r} has type {key!r}; expected one of {', '.join(RELATION_TYPES)}")
    return rel


def _properties(data: dict, skip: tuple[str, ...]) -> dict[str, Any]:
    properties = {}
    for key, value in data.items():
        if type(value) not in _SCALARS:
            value = property_value(value)
            if value is None:
                continue
        properties[key] = value
    for key in skip:
        properties.pop(key, None)
    return properties


@dataclass(slots=True)
class NodeRecord:
    """One node as stored: `properties` hold every attribute but `id` and `kg_hash`."""

    id: str
    labels: tuple[str, ...]
    properties: dict[str, Any]
    hash: int


@dataclass(slots=True)
class RelationshipRecord:
    """One relationship as stored, with the kind labels (Paper or Entity) of its ends."""

    start: str
    end: str
    type: str
    start_kind: str
    end_kind: str
    properties: dict[str, Any]
    hash: int

    @property
    def key(self) -> tuple[str, str, str]:
        return self.start, self.type, self.end


def node_records(graph: nx.MultiDiGraph) -> list[NodeRecord]:
    records = []
    for node, data in graph.nodes(data=True):
        labels = node_labels(data)
        properties = _properties(data, skip=("id", "kind"))
        records.append(NodeRecord(str(node), labels, properties, content_hash(labels, properties)))
    return records


def relationship_records(graph: nx.MultiDiGraph) -> list[RelationshipRecord]:
    kinds = {node: node_kind(data) for node, data in graph.nodes(data=True)}
    records = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        rel = relationship_type(u, v, key, data)
        properties = _properties(data, skip=("rel",))
        records.append(RelationshipRecord(str(u), str(v), rel, kinds[u], kinds[v], properties,
                                          content_hash(rel, properties)))
    return records
