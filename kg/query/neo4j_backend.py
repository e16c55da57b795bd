"""The Neo4j query backend: the `kg.query.QueryBackend` questions answered by running the files of the
top-level `queries/` package (`queries/*.cypher`, shipped in the wheel) verbatim, with parameters.
The graph gets there through `loaders.neo4j.load_into_neo4j`."""

from __future__ import annotations

from importlib import resources
from typing import Any

from kg.errors import NotFound
from kg.model import TYPE_LABELS
from kg.neo4j_driver import DEFAULT_RETRY_SECONDS, ENTITY_FULLTEXT_INDEX, PAPER_FULLTEXT_INDEX, connect, driver_error
from kg.query.suggest import closest_surfaces, closest_titles

QUERY_NAMES: tuple[str, ...] = ("papers_using", "paper_entities", "top_entities", "related_papers",
                                "cooccurring_entities", "papers_building_on", "shortest_connection")
# Above this many entity names/aliases (or paper titles), "did you mean" suggestions come from the
# full-text indexes instead of a difflib scan over all of them.
SUGGEST_SCAN_LIMIT = 50_000


# The canonical key of a Cypher parameter, computed like kg.keys.name_key and queries/*.cypher:
# lower-case, keep letters and digits (per code point, so characters outside the BMP survive).
def _key_expr(param: str) -> str:
    chars = f"[i IN range(0, size(toLower({param})) - 1) | substring(toLower({param}), i, 1)]"
    return f"reduce(k = '', c IN {chars} | k + CASE WHEN c =~ '[\\\\p{{L}}\\\\p{{N}}]' THEN c ELSE '' END)"


def read_query(name: str) -> str:
    """The text of queries/<name>.cypher, read from the installed `queries` package."""
    if name not in QUERY_NAMES:
        raise ValueError(f"unknown query {name!r}")
    return resources.files("queries").joinpath(f"{name}.cypher").read_text(encoding="utf-8")


class Neo4jQueries:
    """The QueryBackend questions answered by Neo4j: same arguments, rows, order and NotFound errors.

    Each method runs the text of queries/<method>.cypher unchanged, with parameters.
    """

    def __init__(self, uri: str, user: str, password: str, database: str = "neo4j",
                 *, retry_seconds: float = DEFAULT_RETRY_SECONDS) -> None:
        self.uri, self.user, self.database = uri, user, database
        self.queries = {name: read_query(name) for name in QUERY_NAMES}
        self._driver = connect(uri, user, password, retry_seconds)

    def __enter__(self) -> Neo4jQueries:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        self._driver.close()

    def run(self, query: str, /, **params: Any) -> list[dict]:
        """Rows (dicts) of a read query; driver failures become Neo4jError."""
        import neo4j

        try:
            records, _, _ = self._driver.execute_query(query, params, database_=self.database,
                                                       routing_=neo4j.RoutingControl.READ)
        except Exception as exc:
            raise driver_error(exc, self.uri, self.user, "while querying") from exc
        return [record.data() for record in records]

    def _named(self, query_name: str, /, **params: Any) -> list[dict]:
        return self.run(self.queries[query_name], **params)

    # ---- lookups for NotFound (only run when a question returned no rows)

    def _entity_exists(self, name: str, entity_type: str | None = None) -> bool:
        rows = self.run(f"WITH {_key_expr('$name')} AS key MATCH (e:Entity) "
                        "WHERE key IN e.keys AND (coalesce($type, '') = '' OR e.type = $type) "
                        "RETURN e.id AS id LIMIT 1", name=name, type=entity_type)
        return bool(rows)

    def _paper_exists(self, paper: str) -> bool:
        rows = self.run(f"WITH {_key_expr('$paper')} AS key MATCH (p:Paper) "
                        "WHERE p.paper_id = $paper OR p.title_key = key RETURN p.id AS id LIMIT 1", paper=paper)
        return bool(rows)

    def _candidates(self, text: str, count: str, scan: str, index: str, returns: str) -> list[dict]:
        """Rows to pick "did you mean" suggestions from: every row (`scan`) while `count` is at most
        SUGGEST_SCAN_LIMIT, else the nodes the full-text `index` finds for the words of `text`."""
        if (self.run(count)[0]["n"] or 0) <= SUGGEST_SCAN_LIMIT:
            return self.run(scan)
        query = _fuzzy(text)
        if not query:
            return []
        return self.run(f"CALL db.index.fulltext.queryNodes('{index}', $q) YIELD node RETURN {returns} LIMIT 200",
                        q=query)

    def closest_names(self, name: str, limit: int = 5) -> list[str]:
        """Like kg.query.networkx_backend.closest_names (from the full-text index on a large graph)."""
        rows = self._candidates(name, "MATCH (e:Entity) RETURN sum(1 + size(e.aliases)) AS n",
                                "MATCH (e:Entity) RETURN e.name AS name, e.aliases AS aliases ORDER BY e.id",
                                ENTITY_FULLTEXT_INDEX, "node.name AS name, node.aliases AS aliases")
        return closest_surfaces(name, ((row["name"], row["aliases"] or ()) for row in rows), limit)

    def closest_paper_titles(self, paper: str) -> list[str]:
        """Like the suggestions of kg.query.networkx_backend.find_paper (from the full-text index on a large graph)."""
        rows = self._candidates(paper, "MATCH (p:Paper) RETURN count(p) AS n",
                                "MATCH (p:Paper) RETURN p.title AS title ORDER BY p.id",
                                PAPER_FULLTEXT_INDEX, "node.title AS title")
        return closest_titles(paper, (row["title"] for row in rows))

    def _entity_not_found(self, name: str) -> NotFound:
        return NotFound("entity", name, self.closest_names(name))

    def _paper_not_found(self, paper: str) -> NotFound:
        return NotFound("paper", paper, self.closest_paper_titles(paper))

    # ---- the questions (kg.query.QueryBackend signatures)

    def _about_entity(self, query_name: str, name: str, entity_type: str | None = None, **params: Any) -> list[dict]:
        """Rows of a question about one entity; NotFound when no rows because no entity has that name."""
        rows = self._named(query_name, name=name, **params)
        if not rows and not self._entity_exists(name, entity_type):
            raise self._entity_not_found(name)
        return rows

    def _about_paper(self, query_name: str, paper: str, **params: Any) -> list[dict]:
        """Rows of a question about one paper; NotFound when no rows because no paper has that id or title."""
        rows = self._named(query_name, paper=paper, **params)
        if not rows and not self._paper_exists(paper):
            raise self._paper_not_found(paper)
        return rows

    def papers_using(self, name: str, entity_type: str | None = None) -> list[dict]:
        return self._about_entity("papers_using", name, entity_type or None, type=entity_type or None)

    def paper_entities(self, paper: str) -> list[dict]:
        return self._about_paper("paper_entities", paper)

    def top_entities(self, entity_type: str | None = None, limit: int = 20) -> list[dict]:
        return self._named("top_entities", type=entity_type or None, limit=max(0, int(limit)))

    def related_papers(self, paper: str, limit: int = 10) -> list[dict]:
        return self._about_paper("related_papers", paper, limit=max(0, int(limit)))

    def cooccurring_entities(self, name: str, limit: int = 20) -> list[dict]:
        return self._about_entity("cooccurring_entities", name, limit=max(0, int(limit)))

    def papers_building_on(self, paper: str) -> list[dict]:
        return self._about_paper("papers_building_on", paper)

    def shortest_connection(self, source: str, target: str, limit: int = 10) -> list[dict]:
        rows = self._named("shortest_connection", source=source, target=target, limit=max(0, int(limit)))
        if not rows:
            for name in (source, target):
                if not self._entity_exists(name):
                    raise self._entity_not_found(name)
        return rows

    def graph_stats(self) -> dict:
        """Like kg.query.networkx_backend.graph_stats, from Neo4j's count store (cheap)."""
        from kg.model import RELATION_TYPES

        def count(pattern: str) -> int:
            return self.run(f"MATCH {pattern} RETURN count(*) AS n")[0]["n"]

        by_type = {t: count(f"(:{label})") for t, label in sorted(TYPE_LABELS.items())}
        edges = {rel: count(f"()-[:{rel}]->()") for rel in sorted(RELATION_TYPES)}
        return {"papers": count("(:Paper)"), "entities": count("(:Entity)"),
                "entities_by_type": {t: n for t, n in by_type.items() if n},
                "edges_by_type": {t: n for t, n in edges.items() if n}}


def _fuzzy(text: str) -> str:
    """A Lucene query matching any word of `text` approximately (special characters dropped)."""
    words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
    return " OR ".join(f"{w}~" for w in words[:20])
