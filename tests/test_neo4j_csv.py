"""`kg export csv`: neo4j-admin import files holding what the Bolt loader writes (no server needed; the
import itself is tested against the real server in test_neo4j.py)."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
from typer.testing import CliRunner

from kg.cli import app
from kg.model import ENTITY, PAPER
from loaders.neo4j_csv import ARGS_FILE, ARRAY_DELIMITER, write_import_csv
from loaders.neo4j_records import HASH_PROPERTY, node_records

NASTY = 'a "quoted", comma; semicolon\\ backslash\nsecond line'


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def small_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("paper:1", kind=PAPER, paper_id="1", title=NASTY, year=2024, authors=[], sources=["a;b", "c"])
    graph.add_node("paper:2", kind=PAPER, paper_id="2", title="", year="2024?", authors=["x" + ARRAY_DELIMITER])
    graph.add_node("entity:bert", kind=ENTITY, name="BERT", type="model", aliases=["BERT", "bert"], paper_count=2)
    graph.add_edge("paper:1", "entity:bert", key="USES", rel="USES", confidence=0.5, start_char=3, sentence=NASTY)
    graph.add_edge("paper:1", "paper:2", key="SHARES_ENTITIES", rel="SHARES_ENTITIES", weight=float("inf"),
                   entities=["BERT"])
    return graph


def test_files_hold_every_property_typed_and_escaped(tmp_path):
    graph = small_graph()
    export = write_import_csv(graph, tmp_path)
    assert (export.nodes, export.relationships) == (3, 2)
    # year is a long on paper 1 and a string on paper 2: two Paper files, each with its own types
    assert export.node_files == ["nodes-Paper.csv", "nodes-Paper-2.csv", "nodes-Entity-Model.csv"]
    assert export.multiline_files == ["nodes-Paper.csv", "relationships-USES.csv"]
    hashes = {r.id: r.hash for r in node_records(graph)}
    first, = rows(tmp_path / "nodes-Paper.csv")
    assert first["id:ID"] == "paper:1" and first[":LABEL"] == "Paper"
    assert first["title"] == NASTY and first["year:long"] == "2024"
    assert first["sources:string[]"].split(ARRAY_DELIMITER) == ["a;b", "c"]
    assert int(first[f"{HASH_PROPERTY}:long"]) == hashes["paper:1"]
    assert "authors:string[]" not in first  # an empty list: set over Bolt after the import
    second, = rows(tmp_path / "nodes-Paper-2.csv")
    assert second["title"] == "" and second["year"] == "2024?"
    entity, = rows(tmp_path / "nodes-Entity-Model.csv")
    assert entity[":LABEL"].split(ARRAY_DELIMITER) == ["Entity", "Model"]
    assert entity["paper_count:long"] == "2" and entity["aliases:string[]"].split(ARRAY_DELIMITER) == ["BERT", "bert"]
    uses, = rows(tmp_path / "relationships-USES.csv")
    assert (uses[":START_ID"], uses[":END_ID"], uses[":TYPE"]) == ("paper:1", "entity:bert", "USES")
    assert uses["confidence:double"] == "0.5" and uses["start_char:long"] == "3" and uses["sentence"] == NASTY
    shares, = rows(tmp_path / "relationships-SHARES_ENTITIES.csv")
    assert shares["weight:double"] == "Infinity"
    deferred = {(d.kind, d.start): d.properties for d in export.deferred}
    assert deferred == {("Paper", "paper:1"): {"authors": []}, ("Paper", "paper:2"): {"authors": ["x\x1f"]}}
    arguments = (tmp_path / ARGS_FILE).read_text().split()
    assert "--nodes=nodes-Paper.csv" in arguments and "--array-delimiter=U+001F" in arguments
    assert "--multiline-fields=nodes-Paper.csv,relationships-USES.csv" in arguments


def test_cli_exports_a_build_and_never_replaces_other_folders(seed_build, tmp_path):
    runner = CliRunner()
    out = tmp_path / "csv"
    done = runner.invoke(app, ["export", "csv", str(seed_build.out), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert f"wrote {seed_build.graph.number_of_nodes():,} nodes" in done.output
    assert (out / ARGS_FILE).is_file() and (out / "nodes-Paper.csv").is_file()
    again = runner.invoke(app, ["export", "csv", str(seed_build.out), "--out", str(out)])  # a previous export
    assert again.exit_code == 0, again.output
    refused = runner.invoke(app, ["export", "csv", str(seed_build.out), "--out", str(seed_build.out)])
    assert refused.exit_code == 1 and "no neo4j-admin.args in it" in refused.output
    assert (seed_build.out / "graph.graphml").is_file()
