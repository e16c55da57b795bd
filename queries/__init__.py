"""The saved Cypher questions, one parameterised file per question, usable in Neo4j Browser as is.

A package only so that the `*.cypher` files ship in the wheel: `kg.query.neo4j_backend` reads them
with `importlib.resources`."""
