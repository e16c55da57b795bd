"""The query layer: one interface (`QueryBackend`), two backends that give the same answers, and the
subgraph selection behind the HTML view.

* `kg.query.backend`: the written interface, a `Protocol`;
* `kg.query.networkx_backend`: the questions over the NetworkX graph (`GraphQueries`);
* `kg.query.neo4j_backend`: the same questions run as `queries/*.cypher` on Neo4j (`Neo4jQueries`);
* `kg.query.suggest`: "did you mean" suggestions shared by both;
* `kg.query.subgraph`: what the HTML page draws (`select_subgraph`).
"""

from kg.query.backend import QueryBackend
from kg.query.neo4j_backend import Neo4jQueries
from kg.query.networkx_backend import GraphQueries
from kg.query.subgraph import Selection, select_subgraph

__all__ = ["GraphQueries", "Neo4jQueries", "QueryBackend", "Selection", "select_subgraph"]
