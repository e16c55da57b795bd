"""The map stage on worker processes gives the same output as in one process."""

from __future__ import annotations

from pathlib import Path

from kg.build import OUTPUT_FILES, build
from kg.engine import CHUNK_SIZE, chunked, resolve_workers
from tests.conftest import SEEDS


def test_one_process_and_a_worker_pool_write_identical_files(tmp_path: Path) -> None:
    _, one = build([SEEDS], tmp_path / "one", workers=1)
    assert resolve_workers(2, one.unique_papers) == 2
    _, pool = build([SEEDS], tmp_path / "pool", workers=2)
    assert pool.unique_papers == one.unique_papers
    for name in OUTPUT_FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "pool" / name).read_bytes(), name


def test_workers_are_capped_by_the_chunks_there_are() -> None:
    assert resolve_workers(8, 1) == 1
    assert resolve_workers(8, CHUNK_SIZE + 1) == 2
    assert resolve_workers(1, 10 * CHUNK_SIZE) == 1
    assert resolve_workers(0, 10 * CHUNK_SIZE) >= 1


def test_chunks_keep_order_and_every_item() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []
