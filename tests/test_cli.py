"""The `kg` command line on the real seeds: build summary, papers-using, lookups, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from kg.cli import app
from kg.model import ENTITY_TYPES, FIELDS, ROLES
from tests.conftest import SEEDS

runner = CliRunner()


def run(*args: str) -> object:
    return runner.invoke(app, list(args), catch_exceptions=False)


def rows(*args: str) -> list[dict]:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_build_prints_summary_and_writes_files(tmp_path: Path) -> None:
    result = run("build", str(SEEDS), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "records read 285, duplicate papers merged 66, unique papers 219" in result.stdout
    assert "entities: benchmark" in result.stdout and "edges: BUILDS_ON" in result.stdout
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "corpus-state.jsonl.gz", "graph.gexf", "graph.graphml", "graph.json", "papers.jsonl"]


def test_papers_using_resolves_case_and_aliases(seed_build) -> None:
    graph = str(seed_build.out)
    bert = rows("papers-using", "BERT", "--graph", graph)
    assert bert == rows("papers-using", "bert", "--graph", graph)
    assert len(bert) >= 10
    assert all(r["entity"] == "BERT" or "BERT" in r["entity"] for r in bert)
    assert all(r["role"] in ROLES and r["evidence"] and r["title"] for r in bert)
    rag = rows("papers-using", "RAG", "--graph", graph)
    assert rag == rows("papers-using", "retrieval augmented generation", "--graph", graph)
    assert {r["entity"] for r in rag} == {"Retrieval-Augmented Generation"}
    assert rows("papers-using", "Llama 2", "--graph", graph) == rows("papers-using", "LLaMA-2", "--graph", graph)


def test_papers_using_table_shows_title_role_and_evidence(seed_build) -> None:
    result = run("papers-using", "RAG", "--graph", str(seed_build.out))
    assert result.exit_code == 0
    assert "papers using RAG" in result.stdout and "uses" in result.stdout


def test_papers_using_type_filter(seed_build) -> None:
    graph = str(seed_build.out)
    assert rows("papers-using", "BERT", "--type", "model", "--graph", graph)
    result = run("papers-using", "BERT", "--type", "dataset", "--graph", graph)
    assert result.exit_code == 1


def test_unknown_entity_suggests_closest_names(seed_build) -> None:
    result = run("papers-using", "Robertaa", "--graph", str(seed_build.out))
    assert result.exit_code == 1
    assert "No entity matches 'Robertaa'" in result.stderr and "RoBERTa" in result.stderr
    assert "Traceback" not in result.output


def test_entities_paper_related_stats(seed_build) -> None:
    graph = str(seed_build.out)
    top = rows("entities", "--type", "model", "--top", "5", "--graph", graph)
    assert len(top) == 5 and all(r["type"] == "model" for r in top)
    assert [r["paper_count"] for r in top] == sorted((r["paper_count"] for r in top), reverse=True)
    title = "RASD: Retrieval-Augmented Speculative Decoding"
    own = rows("paper", title.lower(), "--graph", graph)
    assert {r["title"] for r in own} == {title}
    related = rows("related", title, "--graph", graph)
    assert related and related[0]["weight"] >= related[-1]["weight"] and related[0]["shared"]
    stats = rows("stats", "--graph", graph)
    assert stats["papers"] == 219


def test_extract_contract(tmp_path: Path) -> None:
    out = tmp_path / "papers.jsonl"
    result = run("extract", str(SEEDS), "-o", str(out))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 219
    ids_by_name: dict[str, set[str]] = {}
    for record in records:
        assert isinstance(record["id"], str) and isinstance(record["title"], str)
        for entity in record["entities"]:
            assert set(entity) >= {"id", "name", "type", "role", "confidence", "mentions"}
            assert entity["type"] in ENTITY_TYPES and entity["role"] in ROLES
            assert 0 < entity["confidence"] <= 1 and entity["mentions"]
            ids_by_name.setdefault(entity["name"], set()).add(entity["id"])
            for mention in entity["mentions"]:
                assert set(mention) >= {"text", "field", "start", "end", "sentence"}
                assert mention["field"] in FIELDS
                text = record["title"] if mention["field"] == "title" else record["abstract"]
                assert text[mention["start"]:mention["end"]] == mention["text"]
                assert mention["text"] in mention["sentence"]
    # The same entity in two papers has the same id.
    assert all(len(ids) == 1 for ids in ids_by_name.values())


def test_bad_input_gives_one_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "mixed.jsonl"
    bad.write_text('{"title": "Good paper", "abstract": "We fine-tune BERT on SQuAD."}\n{oops\n', encoding="utf-8")
    result = run("build", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert f"{bad}:2: invalid JSON" in result.stderr
    assert "unique papers 1" in result.stdout
    missing = run("build", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "o2"))
    assert missing.exit_code == 1 and "missing.txt: no such file or directory" in missing.stderr
    assert "Traceback" not in missing.output
    no_graph = run("stats", "--graph", str(tmp_path / "nothing"))
    assert no_graph.exit_code == 1 and "run `kg build` first" in no_graph.stderr


def test_html_export_commands(seed_build, tmp_path: Path) -> None:
    graph = str(seed_build.out)
    page = tmp_path / "graph.html"
    result = run("html", graph, "-o", str(page), "--max-nodes", "60", "--types", "model,method")
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stderr and "Left out" in result.stderr
    text = page.read_text(encoding="utf-8")
    assert "new vis.Network" in text and not re.search(r"""(?:src|href)=["']https?:""", text)
    neighbourhood = tmp_path / "bert.html"
    result = run("papers-using", "BERT", "--graph", graph, "--html", str(neighbourhood), "--json")
    assert result.exit_code == 0 and neighbourhood.exists() and json.loads(result.stdout)
    assert run("html", graph, "--types", "planet", "-o", str(page)).exit_code == 1
