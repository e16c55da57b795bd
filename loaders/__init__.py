"""Writers of the built graph: NetworkX files, Neo4j, HTML."""
