"""Plain data classes passed between the pipeline stages, and the graph schema constants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

ENTITY_TYPES: tuple[str, ...] = ("model", "method", "dataset", "benchmark", "task")
MISSION_TYPES: tuple[str, ...] = ("model", "method", "dataset", "benchmark")
RESOURCE_TYPES: frozenset[str] = frozenset({"dataset", "benchmark"})  # data a paper trains or evaluates on
SYSTEM_TYPES: frozenset[str] = frozenset({"model", "method"})  # what a paper builds or runs
ROLES: tuple[str, ...] = ("proposes", "uses", "mentions")
FIELDS: tuple[str, ...] = ("title", "abstract")
TITLE_SEPARATOR = "\n\n"  # a paper as one text: title, a blank line, abstract

# Graph schema: node kinds, relationship types and the role -> relationship mapping.
PAPER = "Paper"
ENTITY = "Entity"
PROPOSES, USES, MENTIONS = "PROPOSES", "USES", "MENTIONS"
SHARES_ENTITIES, BUILDS_ON, VARIANT_OF = "SHARES_ENTITIES", "BUILDS_ON", "VARIANT_OF"
ROLE_RELATIONS: dict[str, str] = {"proposes": PROPOSES, "uses": USES, "mentions": MENTIONS}
RELATION_ROLES: dict[str, str] = {rel: role for role, rel in ROLE_RELATIONS.items()}
RELATION_TYPES: tuple[str, ...] = (PROPOSES, USES, MENTIONS, SHARES_ENTITIES, BUILDS_ON, VARIANT_OF)
TYPE_LABELS: dict[str, str] = {t: t.capitalize() for t in ENTITY_TYPES}

_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def json_bytes(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON (orjson: five times `json.dumps`; the writers call it per record)."""
    return orjson.dumps(value, option=_JSON_OPTIONS)


def json_text(value: Any) -> str:
    """`json_bytes` as text."""
    return json_bytes(value).decode("utf-8")


@dataclass
class Paper:
    """One unique paper as read from the input (duplicates already merged by the reader stage)."""

    id: str
    title: str
    abstract: str = ""
    year: int | None = None
    authors: list[str] = field(default_factory=list)
    url: str = ""
    sources: list[str] = field(default_factory=list)  # "file:line" of every record merged into it


@dataclass(slots=True)
class Mention:
    """One occurrence of an entity name in a paper, with the evidence that produced it."""

    text: str
    field: str  # title | abstract
    start: int  # character offsets into that field
    end: int
    sentence: str
    rule: str = ""
    confidence: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """The fields by name, in order (what `dataclasses.asdict` gives, five times faster)."""
        return {"text": self.text, "field": self.field, "start": self.start, "end": self.end,
                "sentence": self.sentence, "rule": self.rule, "confidence": self.confidence}


@dataclass(slots=True)
class EntityRef:
    """A canonical entity as found in one paper: its graph id, type, the paper's role and all mentions."""

    id: str
    name: str
    type: str
    role: str
    confidence: float
    mentions: list[Mention] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    family: str | None = None  # canonical id of the family this variant belongs to

    @property
    def evidence(self) -> Mention:
        """The mention that best explains the role: the most confident, earliest one."""
        return max(self.mentions, key=lambda m: (m.confidence, m.field == "title", -m.start))


@dataclass
class PaperEntities:
    """A paper and the entities extracted from it: the output of the extract stage."""

    paper: Paper
    entities: list[EntityRef] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stable `kg extract` record (id, title, entities with mentions) plus paper metadata."""
        record: dict[str, Any] = {"id": self.paper.id, "title": self.paper.title}
        for key in ("abstract", "year", "authors", "url", "sources"):
            value = getattr(self.paper, key)
            if value:
                record[key] = value
        record["entities"] = [
            {
                "id": e.id,
                "name": e.name,
                "type": e.type,
                "role": e.role,
                "confidence": round(e.confidence, 3),
                "aliases": e.aliases,
                **({"family": e.family} if e.family else {}),
                "mentions": [m.to_json() for m in e.mentions],
            }
            for e in self.entities
        ]
        return record

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> PaperEntities:
        """Inverse of `to_json`."""
        paper = Paper(
            id=record["id"],
            title=record["title"],
            abstract=record.get("abstract", ""),
            year=record.get("year"),
            authors=list(record.get("authors", [])),
            url=record.get("url", ""),
            sources=list(record.get("sources", [])),
        )
        entities = [
            EntityRef(
                id=e["id"],
                name=e["name"],
                type=e["type"],
                role=e["role"],
                confidence=e.get("confidence", 0.0),
                mentions=[Mention(**m) for m in e.get("mentions", [])],
                aliases=list(e.get("aliases", [])),
                family=e.get("family"),
            )
            for e in record.get("entities", [])
        ]
        return cls(paper, entities)
