"""The read stage: seed pages, JSONL, CSV, duplicates merged, bad input reported per line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.readers import InputError, read_papers
from tests.conftest import SEEDS


def test_seed_pages_are_read_and_repeats_merged() -> None:
    result = read_papers([SEEDS])
    assert result.records_read == 285
    assert len(result.papers) == 219
    assert result.duplicates_merged == 66
    assert result.issues == []
    titles = [p.title for p in result.papers]
    assert "Daily Papers" not in titles and "Subscribe" not in titles
    assert all(p.abstract for p in result.papers)
    repeated = max(result.papers, key=lambda p: len(p.sources))
    assert len(repeated.sources) == 4
    assert len({s.split(":")[0] for s in repeated.sources}) == 4  # kept every source file


def test_seed_page_pairs_title_with_abstract() -> None:
    paper = next(p for p in read_papers([SEEDS]).papers if p.title.startswith("RASD:"))
    assert paper.title == "RASD: Retrieval-Augmented Speculative Decoding"
    assert paper.abstract.startswith("Speculative decoding accelerates inference")


def test_jsonl_keeps_good_records_beside_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a1", "title": "Alpha", "abstract": "We use BERT.", "year": 2020, "authors": ["X", "Y"]}),
        "{not json",
        json.dumps({"abstract": "no title here"}),
        json.dumps({"title": "Beta", "abstract": "B.", "year": "soon"}),
        json.dumps({"title": "alpha!", "abstract": "A longer abstract that wins the merge."}),
    ]) + "\n", encoding="utf-8")
    result = read_papers([path])
    assert [p.title for p in result.papers] == ["Alpha", "Beta"]  # a bad 'year' drops the year, not the paper
    alpha, beta = result.papers
    assert beta.year is None
    assert alpha.id == "a1" and alpha.year == 2020 and alpha.authors == ["X", "Y"]
    assert alpha.abstract == "A longer abstract that wins the merge."
    assert [(i.line, i.message.split(" ")[0]) for i in result.issues] == [(2, "invalid"), (3, "record"), (4, "'year'")]
    assert all(str(i).startswith(f"{path}:{i.line}: ") for i in result.issues)


def test_csv_with_optional_columns(tmp_path: Path) -> None:
    path = tmp_path / "papers.csv"
    path.write_text('title,abstract,year,url\n"Gamma, a model","We fine-tune T5.",2021,http://x\n,"missing title",,\n',
                    encoding="utf-8")
    result = read_papers([path])
    assert [(p.title, p.year, p.url) for p in result.papers] == [("Gamma, a model", 2021, "http://x")]
    assert [i.line for i in result.issues] == [3]


def test_unknown_format_is_one_issue_and_other_files_still_load(tmp_path: Path) -> None:
    bad = tmp_path / "notes.bin"
    bad.write_bytes(b"\x00\x01\x02binary\x00\x00\x03\x04")
    odd = tmp_path / "table.tsv"
    odd.write_text("a\tb\n1\t2\n", encoding="utf-8")
    good = tmp_path / "ok.jsonl"
    good.write_text(json.dumps({"title": "Delta", "abstract": "D."}) + "\n", encoding="utf-8")
    result = read_papers([bad, odd, good])
    assert [p.title for p in result.papers] == ["Delta"]
    messages = [str(i) for i in result.issues]
    assert [m for m in messages if m.startswith(f"{bad}: ")] == [f"{bad}: a binary file, not text; skipped"]
    assert [m for m in messages if m.startswith(f"{odd}")] == [f"{odd}:1: CSV header has no 'title' column; file skipped"]


def test_missing_input_raises_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file or directory"):
        read_papers([tmp_path / "nope.jsonl"])
