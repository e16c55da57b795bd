"""`kg add`: adding papers to a build writes, byte for byte, what `kg build` writes on all the inputs;
the resumable corpus pass equals the whole-corpus pass wherever it resumes."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.build import OUTPUT_FILES, build
from kg.cli import app
from kg.corpus_state import STATE_FILE
from kg.extract.pipeline import extract_own, link_corpus
from kg.extract.resumable import link_corpus_resumable
from kg.incremental import add
from kg.readers import read_papers
from tests.conftest import SEEDS
from tests.test_propagation import defining_paper, plain_paper

runner = CliRunner()
ALL_FILES = (*OUTPUT_FILES, STATE_FILE)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def assert_add_equals_build(tmp_path: Path, old: list[Path], new: list[Path]) -> dict[str, list[dict]]:
    """Build `old`, add `new`, build `old + new` afresh: every output file is the same bytes.
    Returns papers.jsonl of the build before and after the add, for the caller to check what changed."""
    build(old, tmp_path / "added", workers=1)
    before = read_lines(tmp_path / "added")
    add(new, tmp_path / "added", workers=1)
    build([*old, *new], tmp_path / "rebuilt", workers=1)
    for name in ALL_FILES:
        assert (tmp_path / "added" / name).read_bytes() == (tmp_path / "rebuilt" / name).read_bytes(), name
    return {"before": before, "after": read_lines(tmp_path / "added")}


def read_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "papers.jsonl").read_text(encoding="utf-8").splitlines()]


def test_adding_seed_files_equals_building_them_all(tmp_path: Path) -> None:
    files = sorted(SEEDS.iterdir())
    assert_add_equals_build(tmp_path, files[:3], files[3:])


QZR_PAPER = {"title": "QuZR: Quantile Zonal Routing for Sparse Models",
             "abstract": "We propose Quantile Zonal Routing (QuZR), a router for mixture-of-experts models. "
                         "QuZR improves accuracy on GLUE."}
QUZR = "entity:quzr"


def entity_ids(record: dict, rule: str | None = None) -> set[str]:
    return {e["id"] for e in record["entities"] if rule is None or any(m["rule"] == rule for m in e["mentions"])}


def test_a_name_defined_by_a_new_paper_reaches_old_papers_and_repeats_are_merged(tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", [
        {"title": "Sparse Experts at Scale", "abstract": "We compare routing schemes. Code: github.com/QuZR."},
        {"title": "Token Pruning for Vision Transformers",
         "abstract": "We prune tokens in ViT. Unlike Quantile Zonal Routing, our method needs no router."},
        {"title": "A Short Study of BERT", "abstract": "We fine-tune BERT on SQuAD."},
    ])
    new = write_jsonl(tmp_path / "new.jsonl", [
        QZR_PAPER,
        {"title": "A short study of BERT!", "abstract": "We fine-tune BERT on SQuAD and MNLI with LoRA adapters, "
                                                        "and compare against full fine-tuning."},
        {"title": "Sparse experts at scale", "abstract": "Shorter."},
    ])
    lines = assert_add_equals_build(tmp_path, [old], [new])
    before, after = lines["before"], lines["after"]
    assert len(after) == 4  # two repeats merged into old papers
    assert not any(QUZR in entity_ids(record) for record in before)
    assert QUZR in entity_ids(after[0], rule="corpus")  # propagated into an old paper
    assert len(after[2]["sources"]) == 2 and "MNLI" in after[2]["abstract"]  # the longer abstract, extracted again
    assert "entity:multinli" in entity_ids(after[2]) and "entity:multinli" not in entity_ids(before[2])
    assert after[0]["sources"] == ["old.jsonl:1", "new.jsonl:3"] and after[0]["abstract"] == before[0]["abstract"]


def test_a_name_crossing_the_document_frequency_limit_is_dropped_from_old_papers_too(tmp_path: Path) -> None:
    def linking(count: int, start: int) -> list[dict]:
        return [{"title": f"Study {n} of routing", "abstract": f"We route tokens in case {n}. Code: github.com/QuZR."}
                for n in range(start, start + count)]

    old = write_jsonl(tmp_path / "old.jsonl", [QZR_PAPER, *linking(15, 0)])
    new = write_jsonl(tmp_path / "new.jsonl", linking(8, 15))
    lines = assert_add_equals_build(tmp_path, [old], [new])
    assert sum(QUZR in entity_ids(record, rule="corpus") for record in lines["before"]) == 15  # 16 papers: linked
    assert not any(QUZR in entity_ids(record, rule="corpus") for record in lines["after"])  # 24 papers: dropped


def test_adding_a_file_the_build_already_read_changes_nothing(tmp_path: Path) -> None:
    files = sorted(SEEDS.iterdir())[:1]
    assert_add_equals_build(tmp_path, files, files)


def test_after_the_extractor_changed_add_extracts_the_old_papers_again(tmp_path: Path) -> None:
    files = sorted(SEEDS.iterdir())
    build(files[:2], tmp_path / "added", workers=1)
    built = len(read_lines(tmp_path / "added"))
    counts: list[int] = []
    add(files[2:3], tmp_path / "added", workers=1, on_start=lambda count, _: counts.append(count))
    added = len(read_lines(tmp_path / "added")) - built
    # As if an older extractor had made the build and found nothing: its state says so.
    state = tmp_path / "added" / STATE_FILE
    header, *entries = map(json.loads, gzip.decompress(state.read_bytes()).decode("utf-8").splitlines())
    for entry in entries:
        entry["paper"]["entities"], entry["linked"], entry["found"] = [], [], []
    state.write_bytes(gzip.compress("".join(json.dumps(line) + "\n"
                                            for line in [{**header, "extractor": "0" * 16}, *entries]).encode()))
    _, summary = add(files[3:], tmp_path / "added", workers=1, on_start=lambda count, _: counts.append(count))
    build(files, tmp_path / "rebuilt", workers=1)
    for name in ALL_FILES:
        assert (tmp_path / "added" / name).read_bytes() == (tmp_path / "rebuilt" / name).read_bytes(), name
    # The first add extracted its new papers (its repeats of old papers add no abstract), the second every paper.
    assert counts == [added, len(read_lines(tmp_path / "rebuilt"))]
    assert any("extractor" in note and "extracted again" in note for note in summary.notes)


def test_add_on_a_directory_that_is_not_a_build_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("x")
    new = write_jsonl(tmp_path / "new.jsonl", [{"title": "A", "abstract": "B"}])
    for out in (tmp_path / "notes", tmp_path / "missing"):
        result = runner.invoke(app, ["add", str(new), "--out", str(out)])
        assert result.exit_code == 1 and "Traceback" not in result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: ") and "kg build" in lines[0], result.output
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / STATE_FILE).write_bytes(b"not gzip")
    result = runner.invoke(app, ["add", str(new), "--out", str(tmp_path / "bad")])
    assert result.exit_code == 1 and "damaged corpus state" in result.output and "Traceback" not in result.output


@pytest.fixture(scope="module")
def seed_own() -> list:
    """The seeds' own entities (the map stage), before any corpus pass."""
    return extract_own(read_papers([SEEDS]).papers)


def as_json(corpus: list) -> list[dict]:
    return [item.to_json() for item in corpus]


@pytest.mark.parametrize("split", [0, 1, 40, 150, -1])
def test_the_resumed_corpus_pass_equals_the_whole_pass(seed_own: list, split: int) -> None:
    whole = copy.deepcopy(seed_own)
    notes = []
    link_corpus(whole, notes)
    first = copy.deepcopy(seed_own[:split])
    _, state = link_corpus_resumable(first)
    resumed = copy.deepcopy(seed_own)
    resumed_notes, _ = link_corpus_resumable(resumed, state)
    assert as_json(resumed) == as_json(whole) and resumed_notes == notes


def test_the_resumed_pass_follows_names_that_change_owner_or_frequency() -> None:
    old = [defining_paper("a", "Gated Token Routing", "GaTR"),
           *(plain_paper(f"m{n}", f"We apply GaTR in setting {n}.") for n in range(15)),
           plain_paper("x", "SpCo and Sparse Coding are compared.")]
    new = [defining_paper("b", "Spectral Clustering", "SpCo"),  # SpCo was unclaimed: now it links x
           defining_paper("c", "Sparse Coding", "SpCo"),  # ... and now it is ambiguous: it links nothing
           *(plain_paper(f"n{n}", f"GaTR again, case {n}.") for n in range(8))]  # GaTR over the limit
    whole = copy.deepcopy(old + new)
    notes = []
    link_corpus(whole, notes)
    _, state = link_corpus_resumable(copy.deepcopy(old))
    resumed = copy.deepcopy(old + new)
    resumed_notes, _ = link_corpus_resumable(resumed, state)
    assert as_json(resumed) == as_json(whole) and resumed_notes == notes and notes
