"""Outputs under stress (issue #14): output paths checked before any work, a full disk, a build cut off
by SIGTERM, a build of no papers, and a build's own files read back damaged. Each ends in one
`error:` line, no traceback, and the previous output set left byte for byte as it was."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.atomic import replace_directory
from kg.cli import app
from kg.errors import OutputError

REPO = Path(__file__).resolve().parent.parent
OUTPUT_FILES = ["graph.gexf", "graph.graphml", "graph.json", "papers.jsonl"]
runner = CliRunner()


def kg(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def one_error_line(result, pattern: str | None = None) -> str:
    """The run failed with exactly one `error:` line and no traceback; returns that line."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1 and errors[0] == lines[-1], result.output
    if pattern is not None:
        assert pattern in errors[0], errors[0]
    return errors[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture
def previous(seed_build, tmp_path: Path) -> Path:
    """A good previous build in tmp_path/out (a copy of the session's seed build)."""
    out = tmp_path / "out"
    shutil.copytree(seed_build.out, out)
    return out


def small_input(tmp_path: Path) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"title": "A Small Paper", "abstract": "We fine-tune BERT on SQuAD."}) + "\n")
    return path


def unwritable_dir(tmp_path: Path) -> Path:
    """A directory nobody may create files in: chmod 555 for a user; root ignores modes, so /sys."""
    if os.geteuid() == 0:
        return Path("/sys")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder


# --------------------------------------------------------------------------- output paths, before any work


def test_build_out_paths_are_checked_before_reading(tmp_path: Path) -> None:
    missing_input = tmp_path / "nope.jsonl"  # reading first would fail on this instead
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with_folders = tmp_path / "project"
    (with_folders / "src").mkdir(parents=True)
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    cases = {a_file: "exists and is not a directory", tmp_path / "loop": "cannot write there",
             unwritable_dir(tmp_path) / "out": "cannot write there",
             Path("/proc/nope/out"): "cannot write there",
             a_file / "out": "not a directory",
             with_folders: "holds folders (src)"}
    for out, reason in cases.items():
        line = one_error_line(kg("build", missing_input, "--out", out), reason)
        assert str(out) in line and "nope.jsonl" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "loop", "project"]
    assert a_file.read_text() == "x"


def test_kg_train_refuses_a_directory_that_is_not_a_model(tmp_path: Path) -> None:
    gold = REPO / "tests" / "data" / "toy_gold.jsonl"
    (tmp_path / "project" / "src").mkdir(parents=True)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = {tmp_path / "project": "not empty and no meta.json in it", a_file: "exists and is not a directory",
             Path("/proc/nope/model"): "cannot write there"}
    for out, reason in cases.items():
        one_error_line(kg("train", "--gold", gold, "--out", out, "--epochs", "1"), reason)
    assert (tmp_path / "project" / "src").is_dir() and a_file.read_text() == "x"


def test_file_outputs_are_checked_before_work(seed_build, tmp_path: Path) -> None:
    missing_input = tmp_path / "nope.jsonl"
    html_cases = {tmp_path: "is a directory", unwritable_dir(tmp_path) / "g.html": "cannot write there",
                  Path("/proc/nope/g.html"): "cannot write there"}
    for output, reason in html_cases.items():
        one_error_line(kg("html", tmp_path / "no-graph", "-o", output), reason)  # not "no graph there"
        one_error_line(kg("papers-using", "BERT", "--graph", tmp_path / "no-graph", "--html", output), reason)
    for output, reason in {tmp_path: "is a directory", Path("/proc/nope/x.jsonl"): "cannot write there",
                           unwritable_dir(tmp_path) / "x.jsonl": "cannot write there"}.items():
        line = one_error_line(kg("extract", missing_input, "-o", output), reason)
        assert "nope.jsonl" not in line


def test_full_disk_leaves_the_previous_build(previous: Path, tmp_path: Path, monkeypatch) -> None:
    import loaders.files

    before = snapshot(previous)

    def full_disk(graph, handle, **_) -> None:
        handle.write(b"<?xml version='1.0'?><gexf>")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(loaders.files.xml_graphs, "write_gexf", full_disk)
    line = one_error_line(kg("build", small_input(tmp_path), "--out", previous), "No space left on device")
    assert "left as it was" in line and ".tmp" not in line
    assert snapshot(previous) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out"]


def test_full_disk_on_a_single_file_output(tmp_path: Path, monkeypatch) -> None:
    import loaders.files

    target = tmp_path / "papers.jsonl"
    target.write_text("previous\n")

    def full_disk(corpus, path) -> None:
        with loaders.files.atomic_output(path) as handle:
            handle.write("partial")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(loaders.files, "write_extractions", full_disk)
    one_error_line(kg("extract", small_input(tmp_path), "-o", target), "No space left on device")
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "papers.jsonl"]


# --------------------------------------------------------------------------- the set is swapped in whole


def test_replace_directory_interrupted_or_failing_keeps_the_old_set(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "graph.json").write_text("old")

    def cut_off(folder: Path) -> None:
        (folder / "graph.json").write_text("new")
        raise KeyboardInterrupt("SIGTERM")

    with pytest.raises(KeyboardInterrupt):
        replace_directory(target, cut_off)
    with pytest.raises(ValueError):
        replace_directory(target, lambda folder: (_ for _ in ()).throw(ValueError("bug")))
    assert snapshot(target) == {"graph.json": b"old"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_replace_directory_swaps_and_carries_other_files_over(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "graph.json").write_text("old")
    (target / "notes.txt").write_text("mine")
    replace_directory(target, lambda folder: (folder / "graph.json").write_text("new"), carry_over=True)
    assert snapshot(target) == {"graph.json": b"new", "notes.txt": b"mine"}
    replace_directory(target, lambda folder: (folder / "graph.json").write_text("newer"))
    assert snapshot(target) == {"graph.json": b"newer"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_replace_directory_write_error_is_one_line(tmp_path: Path) -> None:
    def denied(folder: Path) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(OutputError, match=r"out: cannot be written \(Permission denied\); left as it was"):
        replace_directory(tmp_path / "out", denied)
    assert not list(tmp_path.iterdir())


def many_papers(path: Path, count: int = 600) -> Path:
    """Generated papers sharing a few models and datasets: a build of some seconds and some MB."""
    pick = random.Random(7)
    models = ["BERT", "GPT-2", "RoBERTa", "T5", "LLaMA", "ResNet-50", "ViT", "CLIP", "XLNet", "ELECTRA"]
    data = ["SQuAD", "ImageNet", "GLUE", "WikiText-103", "COCO", "MNLI", "CIFAR-10", "SST-2"]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            (m1, m2), (d1, d2) = pick.sample(models, 2), pick.sample(data, 2)
            handle.write(json.dumps({"id": f"gen-{i}", "title": f"Study {i} of {m1} on {d1}",
                                     "abstract": f"We fine-tune {m1} on {d1} and compare it with {m2} on {d2}. "
                                                 f"Our method improves accuracy by {i % 9 + 1} points."}) + "\n")
    return path


def _in_phase(moment: str, folder: Path) -> bool:
    """Whether a build stopped (SIGSTOP) now is still at `moment`: before its new directory exists
    (extracting), or writing into it (graph.json, the last file written, is not there yet)."""
    fresh = [p for p in folder.iterdir() if p.name.startswith(".out-")]
    if moment == "extracting":
        return not fresh
    return len(fresh) == 1 and not (fresh[0] / "graph.json").exists()


def _as_a_foreground_job() -> None:
    """SIGINT acts in the build, as in a command run from a terminal, however the suite was started: a
    shell starts background commands (`bash scripts/test.sh &`) with SIGINT ignored, every process they
    start inherits that, and the build then rightly ignores SIGINT (exit 0 in the writing-SIGINT case)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(("moment", "stop"), [("extracting", signal.SIGTERM), ("writing", signal.SIGTERM),
                                              ("writing", signal.SIGINT)])
def test_a_build_stopped_in_the_middle_leaves_the_previous_set(previous: Path, tmp_path: Path,
                                                               moment: str, stop: signal.Signals) -> None:
    corpus = many_papers(tmp_path / "many.jsonl", 1500)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    for _attempt in range(5):  # a loaded machine may run the build past the moment before it is frozen: again
        before = snapshot(previous)
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(corpus), "--out", str(previous)],
                                   cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   preexec_fn=_as_a_foreground_job)
        deadline = time.monotonic() + 120
        if moment == "extracting":
            time.sleep(3.0)  # imports done, papers being read and extracted (the build takes several seconds)
        else:  # the moment the new directory appears beside out/, while its files are being written
            while not any(p.name.startswith(".out-") for p in tmp_path.iterdir()) and process.poll() is None:
                assert time.monotonic() < deadline, "the build never started writing"
                time.sleep(0.002)
        process.send_signal(signal.SIGSTOP)  # frozen where it is: the signal below lands at a known moment
        if process.poll() is None and _in_phase(moment, tmp_path):
            break
        process.send_signal(signal.SIGCONT)
        process.communicate(timeout=60)
    else:
        pytest.fail(f"five builds ran past the {moment} moment before they could be stopped")
    process.send_signal(stop)
    process.send_signal(signal.SIGCONT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + stop, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr and len(lines) == 1, stderr
    assert lines[0].startswith(f"error: interrupted ({stop.name})")
    assert lines[0].endswith(f"{previous} left as it was"), lines[0]
    assert snapshot(previous) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl", "out"]


# --------------------------------------------------------------------------- no papers: no new build


def test_zero_papers_build_leaves_a_good_build_byte_identical(previous: Path, tmp_path: Path) -> None:
    before = snapshot(previous)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    one_error_line(kg("build", empty, "--out", previous), "no papers read")
    binary = tmp_path / "noise.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    one_error_line(kg("build", binary, "--out", previous), "no papers read")
    assert snapshot(previous) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.jsonl", "noise.bin", "out"]


# --------------------------------------------------------------------------- a build's own files read back


def test_papers_using_gives_the_same_answer_from_every_graph_file(seed_build, tmp_path: Path) -> None:
    answers = {}
    for name in ("graph.graphml", "graph.gexf", "graph.json"):
        result = kg("papers-using", "BERT", "--json", "--graph", seed_build.out / name)
        assert result.exit_code == 0, result.output
        answers[name] = sorted(json.dumps(row, sort_keys=True) for row in json.loads(result.stdout))
    assert answers["graph.json"] and answers["graph.graphml"] == answers["graph.gexf"] == answers["graph.json"]
    # A GEXF that lost NetworkX's own key attribute (another NetworkX, Gephi) keeps its relation types.
    stripped = tmp_path / "graph.gexf"
    text = (seed_build.out / "graph.gexf").read_text(encoding="utf-8")
    key_id = text.split('title="networkx_key"')[0].rsplit('id="', 1)[1].split('"')[0]
    stripped.write_text(text.replace(f'<attvalue for="{key_id}"', '<attvalue for="unused"')
                        .replace(f'<attribute id="{key_id}" title="networkx_key" type="string" />',
                                 '<attribute id="unused" title="unused" type="string" />'), encoding="utf-8")
    result = kg("papers-using", "BERT", "--json", "--graph", stripped)
    assert sorted(json.dumps(row, sort_keys=True) for row in json.loads(result.stdout)) == answers["graph.json"]


def damaged_graphs(seed_build, folder: Path) -> dict[str, Path]:
    folder.mkdir()
    graphml = (seed_build.out / "graph.graphml").read_bytes()
    gexf = (seed_build.out / "graph.gexf").read_bytes()
    files = {"truncated.graphml": graphml[: len(graphml) // 2], "truncated.gexf": gexf[: len(gexf) // 3],
             "empty-object.json": b"{}", "list.json": b"[1, 2]", "empty.json": b"", "binary.gexf": bytes(range(256)),
             "foreign.json": json.dumps({"directed": True, "multigraph": True, "graph": {},
                                         "nodes": [{"id": "a"}], "links": []}).encode(),
             "deep.json": b"[" * 100_000 + b"]" * 100_000}
    paths = {}
    for name, content in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(content)
    (folder / "no-graph").mkdir()
    paths["folder without graph.json"] = folder / "no-graph"
    return paths


QUERIES = [["papers-using", "BERT"], ["entities"], ["paper", "x"], ["related", "x"], ["stats"], ["cooccurring", "BERT"],
           ["building-on", "x"], ["path", "BERT", "GPT-2"]]


def test_damaged_graph_files_give_one_line_from_every_query(seed_build, tmp_path: Path) -> None:
    for path in damaged_graphs(seed_build, tmp_path / "graphs").values():
        for query in QUERIES:
            one_error_line(kg(*query, "--graph", path), str(path.name))
        one_error_line(kg("html", path, "-o", tmp_path / "g.html"), path.name)
        one_error_line(kg("load", "neo4j", path, "--uri", "bolt://127.0.0.1:9"), path.name)
    assert not (tmp_path / "g.html").exists()


# --------------------------------------------------------------------------- gold files


def test_eval_gold_line_without_entities_is_one_line(tmp_path: Path) -> None:
    good = (REPO / "tests" / "data" / "toy_gold.jsonl").read_text(encoding="utf-8").splitlines()[0]
    cases = {json.dumps({"pid": "X", "title": "No entities"}): "no 'entities' field",
             "{not json": "not JSON", json.dumps(["a list"]): "not a gold record",
             json.dumps({"pid": "X", "title": "T", "entities": [{"name": "A"}]}): "no 'type' field"}
    for line, reason in cases.items():
        gold = tmp_path / "gold.jsonl"
        gold.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
        one_error_line(kg("eval", "--gold", gold), f"{gold}:3: {reason}")
