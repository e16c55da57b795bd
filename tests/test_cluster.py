"""`--cluster`: the pipeline on a real Dask cluster (a LocalCluster of two worker processes) writes the
same bytes as a local build, its workers reading the inputs."""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

import kg
from kg.build import OUTPUT_FILES, PAPERS_FILE, build
from kg.cli import app
from kg.cluster import connect, worker_inputs
from kg.errors import ClusterError
from tests.conftest import REPO, SEEDS, SeedBuild

runner = CliRunner()


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """The address of a two-worker LocalCluster whose worker processes import this checkout's `kg`
    (PYTHONPATH is passed on to them), whether it is pip-installed or not."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                          silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            located = client.run(lambda: __import__("kg").__file__)
            assert set(located.values()) == {kg.__file__}, located
            yield cluster.scheduler_address


def test_the_seeds_built_on_a_cluster_are_byte_identical(scheduler: str, seed_build: SeedBuild,
                                                         tmp_path: Path) -> None:
    _, summary = build([SEEDS], tmp_path / "out", cluster=scheduler)
    assert (summary.records_read, summary.unique_papers) == (seed_build.summary.records_read,
                                                             seed_build.summary.unique_papers)
    assert summary.issues == seed_build.summary.issues and summary.notes == seed_build.summary.notes
    for name in OUTPUT_FILES:
        assert (tmp_path / "out" / name).read_bytes() == (seed_build.out / name).read_bytes(), name


def _write_lines(path: Path, *lines: dict | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))


@pytest.fixture
def duplicates(tmp_path: Path) -> Path:
    """Two files sharing two papers (the second copies with longer abstracts, one of them with its title
    spelt differently), a bad line and an id taken by another paper; returns their folder."""
    folder = tmp_path / "shards"
    _write_lines(folder / "a.jsonl",
                 {"id": "x1", "title": "Sparse Adapters for Llama 2", "abstract": "We fine-tune Llama 2 with LoRA."},
                 "{not json",
                 {"title": "GlimmerNet: Routing Tokens", "abstract": "We propose GlimmerNet."})
    _write_lines(folder / "b.jsonl",
                 {"title": "Sparse adapters for LLaMA 2",
                  "abstract": "We fine-tune Llama 2 with LoRA and QLoRA on MMLU, comparing against BERT."},
                 {"title": "GlimmerNet: Routing Tokens",
                  "abstract": "We propose GlimmerNet, a token router, and evaluate it on MMLU and GSM8K."},
                 {"id": "x1", "title": "QuillBench: Planning Agents", "abstract": "We introduce QuillBench."})
    return folder


def _build(*args: str) -> tuple[str, list[str]]:
    """`kg build ARGS`: the summary lines (not the timing) and the warnings."""
    result = runner.invoke(app, ["build", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.split("\nwrote ")[0], result.stderr.splitlines()


def test_files_read_by_workers_merge_duplicates_as_a_local_build(scheduler: str, duplicates: Path,
                                                                 tmp_path: Path) -> None:
    pattern = str(duplicates / "*.jsonl")
    local = _build(pattern, "--out", str(tmp_path / "local"), "--workers", "1")
    on_cluster = _build(pattern, "--out", str(tmp_path / "cluster"), "--cluster", scheduler)
    assert on_cluster == local
    summary, warnings = on_cluster
    assert "records read 5, duplicate papers merged 2, unique papers 3" in summary
    assert any(f"{duplicates / 'a.jsonl'}:2: " in line for line in warnings), warnings
    assert any(f"{duplicates / 'b.jsonl'}:3: id 'x1' is already used" in line for line in warnings), warnings
    for name in OUTPUT_FILES:
        assert (tmp_path / "cluster" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    papers = [json.loads(line) for line in (tmp_path / "cluster" / PAPERS_FILE).read_text().splitlines()]
    adapters = next(p for p in papers if p["id"] == "x1")  # the first record's id and title, the longest abstract
    assert adapters["title"] == "Sparse Adapters for Llama 2" and "QLoRA" in adapters["abstract"]
    assert {e["name"] for e in adapters["entities"]} >= {"QLoRA", "MMLU"}  # extracted from the merged text
    with Client(scheduler) as client:  # each worker process loaded the model at most once, for every task
        loads = client.run(lambda: import_module("kg.extract.pipeline").process_pipeline.cache_info().misses)
    assert max(loads.values()) == 1, loads


def test_kg_extract_on_a_cluster_writes_the_local_extraction(scheduler: str, duplicates: Path,
                                                             tmp_path: Path) -> None:
    for where, engine in (("local", ["--workers", "1"]), ("cluster", ["--cluster", scheduler])):
        result = runner.invoke(app, ["extract", str(duplicates), "-o", str(tmp_path / f"{where}.jsonl"), *engine],
                               catch_exceptions=False)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "cluster.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


def test_a_scheduler_that_does_not_answer_is_one_line_naming_it() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"  # nothing listens there
    with pytest.raises(ClusterError, match=rf"^{address}: cannot reach a Dask scheduler \(.*\)$"):
        connect(address, timeout=1)


def test_a_scheduler_without_workers_is_one_line_naming_it() -> None:
    with LocalCluster(n_workers=0, processes=False, dashboard_address=":0", silence_logs=logging.ERROR) as empty:
        with pytest.raises(ClusterError, match=rf"^{empty.scheduler_address}: the Dask scheduler has no workers"):
            connect(empty.scheduler_address, timeout=1)


def test_without_dask_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed: importing it fails
    with pytest.raises(ClusterError, match=r"pip install 'paper-kg\[cluster\]'$"):
        connect("tcp://127.0.0.1:8786")


def test_standard_input_cannot_go_to_workers() -> None:
    with pytest.raises(ClusterError, match=r"^<stdin>: Dask workers read input files by path"):
        worker_inputs([Path("-")])
