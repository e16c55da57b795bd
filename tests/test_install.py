"""An install that works anywhere (issue #14): build a wheel, install it in a fresh venv outside the
source tree, and run the main job and a query from there, with the files and with a local Neo4j.

Needs PyPI (through pip, its cache reused) and, for the Neo4j part, Java 17+ and Maven like the
`neo4j` tests (PAPER_KG_SKIP_NEO4J=1 skips that part). Takes a minute or two.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.install

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "seeds" / "000_3f97b7e94a58c10c.txt"
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "target", "*.egg-info", ".*")


def run(*args: object, cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, f"{args}: exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
    return result


def package_data() -> list[str]:
    """Every runtime file the package needs besides its Python modules, as paths inside the wheel."""
    found = [*(REPO / "kg" / "extract" / "model").rglob("*"), *(REPO / "kg" / "lexicon").glob("*.*l"),
             *(REPO / "kg" / "lexicon").glob("*.txt"), *(REPO / "queries").glob("*.cypher"),
             *(REPO / "loaders" / "assets").rglob("*"), REPO / "loaders" / "neo4j-server" / "pom.xml",
             *(REPO / "loaders" / "neo4j-server" / "src").rglob("*.java")]
    return sorted(p.relative_to(REPO).as_posix() for p in found if p.is_file() and "__pycache__" not in p.parts)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_wheel_in_a_fresh_venv_outside_the_source_tree(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PAPER_KG_NEO4J_MODULE", "VIRTUAL_ENV")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PAPER_KG_HOME=str(tmp_path / "home"))

    # The wheel, built from a copy of the package sources (no build/ or egg-info in the tree).
    source = tmp_path / "source"
    for name in ("kg", "loaders", "queries"):
        shutil.copytree(REPO / name, source / name, ignore=JUNK)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", source, cwd=tmp_path, env=env)
    wheel = next((tmp_path / "dist").glob("paper_kg-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in package_data() if name not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert any(name.startswith("kg/extract/model/") for name in names)

    # A plain venv, the wheel and its dependencies from PyPI (pip's cache makes a rerun fast).
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=tmp_path, env=env)
    bin_dir = venv / "bin"
    run(bin_dir / "python", "-m", "pip", "install", "-q", wheel, cwd=tmp_path, env=env)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    kg = bin_dir / "kg"

    work = tmp_path / "work"  # outside the source tree: nothing there but one copied seed page
    work.mkdir()
    shutil.copy2(SEED, work / SEED.name)
    where = run(bin_dir / "python", "-c", "import kg, loaders, queries; print(kg.__file__, loaders.__file__)",
                cwd=work, env=env).stdout
    assert str(REPO) not in where and str(venv) in where, where

    run(kg, "build", SEED.name, "--out", "out", cwd=work, env=env)
    assert sorted(p.name for p in (work / "out").iterdir()) == [
        "corpus-state.jsonl.gz", "graph.gexf", "graph.graphml", "graph.json", "papers.jsonl"]
    from_files = json.loads(run(kg, "papers-using", "BERT", "--json", cwd=work, env=env).stdout)
    assert from_files and all(row["entity"] == "BERT" for row in from_files)

    if os.environ.get("PAPER_KG_SKIP_NEO4J") == "1":
        return
    port = free_port()
    uri = f"bolt://127.0.0.1:{port}"
    run(kg, "neo4j", "start", "--port", port, "--http-port", "0", cwd=work, env=env, timeout=900)
    try:
        assert (tmp_path / "home" / "neo4j-server" / "target" / "paperkg-neo4j-server.jar").is_file()
        assert not list((venv / "lib").rglob("paperkg-neo4j-server.jar")), "built inside the installed package"
        run(kg, "load", "neo4j", "out", "--wipe", "--yes", "--uri", uri, cwd=work, env=env)
        from_neo4j = json.loads(run(kg, "papers-using", "BERT", "--neo4j", "--uri", uri, "--json",
                                    cwd=work, env=env).stdout)
        key = lambda row: (row["title"], row["role"], row["entity"])  # noqa: E731
        assert sorted(map(key, from_neo4j)) == sorted(map(key, from_files))
    finally:
        run(kg, "neo4j", "stop", cwd=work, env=env)
