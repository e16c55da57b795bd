"""The `kg` command line, split by job: thin Typer wrappers over the library, no logic of their own.

* `kg.cli.app`: the Typer app and the one place errors become a one-line message (exit status 1);
* `kg.cli.options`: options shared by several commands (query backend, Neo4j connection), declared once;
* `kg.cli.output`: tables, JSON, warnings, the progress bar and count lines;
* `kg.cli.extraction`: build, extract, eval;  `kg.cli.queries`: the questions and html;
* `kg.cli.neo4j`: load neo4j (Bolt or --bulk), export csv (neo4j-admin import files) and the local server.
"""

from kg.cli import extraction, neo4j, queries  # noqa: F401  (register their commands on the app)
from kg.cli.app import app

__all__ = ["app"]
