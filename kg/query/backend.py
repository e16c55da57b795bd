"""The interface both query backends implement: the NetworkX graph files (`GraphQueries`) and Neo4j
running `queries/*.cypher` (`Neo4jQueries`). Same arguments, same rows in the same order, and
`kg.errors.NotFound` (with suggestions) for an unknown entity or paper."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class QueryBackend(Protocol):
    """One question per method; used as a context manager (Neo4j closes its driver on exit)."""

    def __enter__(self) -> QueryBackend: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def papers_using(self, name: str, entity_type: str | None = None) -> list[dict]:
        """Papers proposing, using or mentioning an entity (or its variants), with evidence."""
        ...

    def paper_entities(self, paper: str) -> list[dict]:
        """What a paper (id or title) proposes, uses and mentions."""
        ...

    def top_entities(self, entity_type: str | None = None, limit: int = 20) -> list[dict]:
        """Entities by paper count, optionally of one type."""
        ...

    def related_papers(self, paper: str, limit: int = 10) -> list[dict]:
        """Papers sharing the most (rarest) entities with a paper."""
        ...

    def cooccurring_entities(self, name: str, limit: int = 20) -> list[dict]:
        """Entities appearing in the same papers as an entity."""
        ...

    def papers_building_on(self, paper: str) -> list[dict]:
        """Papers that use what a paper proposes."""
        ...

    def shortest_connection(self, source: str, target: str, limit: int = 10) -> list[dict]:
        """The shortest entity - paper - entity chains between two entities."""
        ...

    def graph_stats(self) -> dict:
        """Counts of papers, entities by type and edges by type."""
        ...
