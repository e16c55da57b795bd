"""The architecture as tests: the import graph flows one way (`loaders`, the writers, imports `kg`;
importing any `kg` module never imports `loaders`, and `loaders` never imports the application layer
`kg.build` / `kg.cli`), and both query backends implement the written interface."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_after(package: str) -> list[str]:
    """Every module in sys.modules after importing all modules of `package` in a fresh interpreter."""
    code = f"""
import importlib, json, pkgutil, sys
import {package}
for info in pkgutil.walk_packages({package}.__path__, "{package}."):
    if not info.name.endswith("__main__"):
        importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def test_importing_kg_never_imports_loaders() -> None:
    modules = imported_after("kg")
    assert "kg.cli.queries" in modules and "kg.query.neo4j_backend" in modules
    assert not [m for m in modules if m == "loaders" or m.startswith("loaders.")]


def test_loaders_never_import_the_application_layer() -> None:
    modules = imported_after("loaders")
    assert "loaders.html" in modules and "kg.model" in modules
    assert not [m for m in modules if m in ("kg.build", "kg.cli") or m.startswith("kg.cli.")]


def test_both_backends_implement_the_written_interface() -> None:
    import inspect

    from kg.query import GraphQueries, Neo4jQueries, QueryBackend

    questions = [name for name, _ in inspect.getmembers(QueryBackend, inspect.isfunction) if not name.startswith("_")]
    assert "papers_using" in questions and "graph_stats" in questions
    for backend in (GraphQueries, Neo4jQueries):
        for name in [*questions, "__enter__", "__exit__"]:
            assert callable(getattr(backend, name, None)), (backend.__name__, name)
        for name in questions:
            expected = inspect.signature(getattr(QueryBackend, name)).parameters
            assert inspect.signature(getattr(backend, name)).parameters.keys() == expected.keys(), (backend, name)
