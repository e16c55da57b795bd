"""Hostile input to the read stage (issue #14): every case reads without a traceback, keeps the good
records beside the bad ones, and says what it dropped or changed in one `file:line: reason` line
(or `file: reason` for a whole file), or fails with one InputError line.

Each case writes its files into a fresh folder `in/` and reads that folder (or the paths it names).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.readers import InputError, NoPapersError, read_papers, require_papers
from kg.readers.text import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS

GOOD = json.dumps({"title": "Good Paper", "abstract": "We fine-tune BERT on SQuAD."}) + "\n"
ABSTRACT = "We evaluate GPT-2 on WikiText-103 and report perplexity for every model size we train."
NOISE = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(40))  # compresses badly
SEED_HEAD = "Daily Papers\n\nSubscribe\n\n"
FEED = (Path(__file__).resolve().parent / "fixtures" / "arxiv_api.xml").read_text(encoding="utf-8")
# XML 1.0 allows only these characters; GraphML/GEXF written from stored text must stay valid.
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def jl(*rows: dict, ascii: bool = False) -> str:
    return "".join(json.dumps(row, ensure_ascii=ascii) + "\n" for row in rows)


@dataclass
class Case:
    id: str
    files: dict[str, bytes | str]
    papers: list[str] = field(default_factory=list)  # the titles read, in order
    warns: list[str] = field(default_factory=list)  # a regex per expected warning, matched against str(issue)
    error: str | None = None  # a regex for the one-line InputError instead
    inputs: list[str] | None = None  # paths under in/ to read (default: the folder itself)
    issue_count: int | None = None  # exactly this many warnings in all


CASES = [
    # ----------------------------------------------------------------- encodings
    Case("latin-1 csv", {"a.csv": "title,abstract\nCafé Models,Résumé of a study.\n".encode("latin-1")},
         ["Café Models"], [r"a\.csv: not UTF-8 \(first at line 2\); read as Windows-1252/Latin-1"]),
    Case("latin-1 jsonl", {"a.jsonl": jl({"title": "Über Modelle", "abstract": "ä"}).encode("latin-1")},
         ["Über Modelle"], [r"a\.jsonl: not UTF-8"]),
    Case("utf-16 with BOM", {"a.jsonl": (GOOD + jl({"title": "Zweite Arbeit", "abstract": "ü"})).encode("utf-16")},
         ["Good Paper", "Zweite Arbeit"], [r"a\.jsonl: read as UTF-16-LE \(byte order mark\)"]),
    Case("utf-16 without BOM", {"a.csv": "title,abstract\nSixteen,Bits.\n".encode("utf-16-be")},
         ["Sixteen"], [r"a\.csv: read as UTF-16-BE \(no byte order mark\)"]),
    Case("utf-8 BOM csv", {"a.csv": b"\xef\xbb\xbftitle,abstract\nBom Paper,Kept.\n"}, ["Bom Paper"]),
    Case("utf-8 BOM jsonl", {"a.jsonl": b"\xef\xbb\xbf" + GOOD.encode()}, ["Good Paper"]),
    Case("utf-8 BOM and a bad byte", {"a.csv": b"\xef\xbb\xbftitle,abstract\nOne,x\nTwo \xff,y\n"},
         ["One", "Two \ufffd"], [r"a\.csv: line 3: bytes that are not UTF-8 replaced with U\+FFFD"]),
    Case("invalid utf-8 byte", {"a.jsonl": GOOD.encode() + b'{"title": "Caf\xc3\xa9 \xff Paper", "abstract": "z"}\n'},
         ["Good Paper", "Café \ufffd Paper"], [r"a\.jsonl: line 2: 1 byte\(s\) that are not UTF-8 replaced"]),
    # ----------------------------------------------------------------- files and folders
    Case("binary file", {"a.bin": bytes(range(256)) * 20, "b.jsonl": GOOD}, ["Good Paper"],
         [r"a\.bin: a binary file, not text; skipped"]),
    Case("pdf named .txt", {"paper.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "b.jsonl": GOOD}, ["Good Paper"],
         [r"paper\.txt: a binary file"]),
    Case("empty file", {"a.jsonl": "", "b.jsonl": GOOD}, ["Good Paper"], [r"a\.jsonl: empty file; nothing read"]),
    Case("whitespace-only file", {"a.csv": "\n  \n\t\n", "b.jsonl": GOOD}, ["Good Paper"], [r"a\.csv: empty file"]),
    Case("empty folder", {}, error=r"no input files found in .*in"),
    Case("missing path", {"b.jsonl": GOOD}, error=r"nope\.jsonl: no such file or directory",
         inputs=["b.jsonl", "nope.jsonl"]),
    Case("json and tsv in a folder", {"a.json": json.dumps([{"title": "From Json", "abstract": "x"}]),
                                      "b.tsv": "title\tabstract\nFrom Tsv\ty\n"}, ["From Json", "From Tsv"]),
    Case("tsv export saved as .txt", {"export.txt": "title\tabstract\tyear\nTab Export\tWe use T5.\t2020\n"},
         ["Tab Export"]),
    Case("unknown format: one line for the file", {"notes.md": "# notes\n" + "some line\n" * 5000, "b.jsonl": GOOD},
         ["Good Paper"], [r"notes\.md: not a known input format"], issue_count=1),
    Case("html page", {"page.html": "<!DOCTYPE html><html><body>x</body></html>", "b.jsonl": GOOD}, ["Good Paper"],
         [r"page\.html: XML or HTML that is not an Atom feed"]),
    Case("prose .txt is no seed page", {"readme.txt": "Hello there.\nThis is a readme.\n", "b.jsonl": GOOD},
         ["Good Paper"], [r"readme\.txt: no title line followed by an abstract line"]),
    Case("hidden files are no input", {".DS_Store": b"\x00\x00\x00\x01Bud1", "b.jsonl": GOOD}, ["Good Paper"]),
    Case("truncated gzip",
         {"a.jsonl.gz": gzip.compress((GOOD + jl(*({"title": f"Paper {n}", "abstract": "x"} for n in range(199)),
                                                 {"title": NOISE})).encode())[:-40]},
         ["Good Paper", *(f"Paper {n}" for n in range(199))],
         [r"a\.jsonl\.gz: compressed data ends early", r"a\.jsonl\.gz:201: invalid JSON"]),
    Case("gz suffix on plain text", {"a.jsonl.gz": GOOD}, ["Good Paper"]),
    # ----------------------------------------------------------------- JSON
    Case("truncated json array", {"a.json": json.dumps([{"title": "A1", "abstract": "x"},
                                                        {"title": "B1", "abstract": "y"}], indent=2)[:-30]},
         ["A1"], [r"a\.json:7: invalid JSON \(.*\); the rest of the file skipped"]),
    Case("truncated openalex page", {"a.json": json.dumps({"meta": {"count": 2}, "results": [
        {"display_name": "Work One", "publication_year": 2020}, {"display_name": "Work Two"}]}, indent=2)[:-25]},
         ["Work One"], [r"a\.json:\d+: invalid JSON"]),
    Case("json scalar", {"a.json": "42", "b.jsonl": GOOD}, ["Good Paper"],
         [r"a\.json: the JSON document is 42, not paper records"]),
    Case("json list of numbers", {"a.json": "[1, 2, 3]", "b.jsonl": GOOD}, ["Good Paper"],
         [r"a\.json: the JSON list holds no objects"]),
    Case("non-object json lines", {"a.jsonl": GOOD + "[1, 2]\n\"text\"\nnull\n"}, ["Good Paper"],
         [r"a\.jsonl:2: line is not a JSON object \(a JSON list\)", r"a\.jsonl:3: line is not a JSON object",
          r"a\.jsonl:4: line is not a JSON object \(null\)"]),
    Case("invalid json line", {"a.jsonl": "{not json\n" + GOOD}, ["Good Paper"], [r"a\.jsonl:1: invalid JSON"]),
    Case("authors is a number", {"a.jsonl": jl({"title": "Numbers", "abstract": "x", "authors": 5})}, ["Numbers"],
         [r"a\.jsonl:1: 'authors' is not a list of names \(5\); ignored"]),
    Case("wrong field types", {"a.jsonl": jl({"title": 7, "abstract": "x"},
                                             {"title": "Typed", "abstract": ["x"], "year": "soon", "id": {"a": 1},
                                              "url": 3, "authors": ["Ann", 4, None]})},
         ["Typed"], [r"a\.jsonl:1: record has a 'title' that is not text \(7\), so no title; skipped",
                     r"a\.jsonl:2: 'abstract' is not text", r"a\.jsonl:2: 'year' is not a year: 'soon'",
                     r"a\.jsonl:2: 'id' is not text", r"a\.jsonl:2: 'url' is not text",
                     r"a\.jsonl:2: 2 of the 3 'authors' are not names"]),
    Case("deeply nested json line",
         {"a.jsonl": GOOD + '{"title": "Deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n"},
         ["Good Paper"], [r"a\.jsonl:2: JSON nested too deeply; skipped"]),
    Case("deeply nested json document", {"a.json": "[" * 100_000, "b.jsonl": GOOD}, ["Good Paper"],
         [r"a\.json:1: JSON nested too deeply"]),
    Case("malformed openalex index", {"a.jsonl": jl({"display_name": "Bad Index", "abstract_inverted_index": 5},
                                                    {"display_name": "Far Index",
                                                     "abstract_inverted_index": {"far": [10**12], "near": [0]}})},
         ["Bad Index", "Far Index"], [r"a\.jsonl:1: 'abstract_inverted_index' is not an object"]),
    # ----------------------------------------------------------------- sizes
    Case("2 MB abstract", {"a.jsonl": jl({"title": "Long", "abstract": "word " * 400_000})}, ["Long"],
         [r"a\.jsonl:1: 'abstract' is 2,000,000 characters; cut to 100,000"]),
    Case("100k-character title", {"a.jsonl": jl({"title": "T" * 100_000, "abstract": "x"})}, ["T" * MAX_TITLE_CHARS],
         [r"a\.jsonl:1: 'title' is 100,000 characters; cut to 2,000"]),
    Case("csv cell over 131,072 characters", {"a.csv": "title,abstract\nBig," + "x" * 200_000 + "\nSmall,y\n"},
         ["Big", "Small"], [r"a\.csv:2: 'abstract' is 200,000 characters; cut to 100,000"]),
    # ----------------------------------------------------------------- characters
    Case("NUL and control characters", {"a.jsonl": jl({"title": "Ctrl\x00\x1b\x01 Paper", "abstract": "a\x07b\x9bc"}),
                                        "b.csv": "title,abstract\nNul\x00 Row,x\x02y\n"},
         ["Ctrl Paper", "Nul Row"], [r"a\.jsonl:1: removed 5 control character\(s\)", r"b\.csv:2: removed 2"]),
    Case("lone surrogate", {"a.jsonl": '{"title": "Half \\ud800 Pair", "abstract": "x\\udfff"}\n'}, ["Half Pair"],
         [r"a\.jsonl:1: removed 2 control character"]),
    Case("form feed and vertical tab in a seed page", {"a.txt": SEED_HEAD + "One Title Only\n\n" + ABSTRACT[:40]
                                                       + "\f" + ABSTRACT[40:70] + "\v" + ABSTRACT[70:] + "\n"},
         ["One Title Only"]),
    Case("unicode line separators in json lines",
         {"a.jsonl": '{"title": "Line\u2028Sep", "abstract": "a\u2029b"}\n' + GOOD},
         ["Line Sep", "Good Paper"]),
    Case("RTL and zero-width characters", {"a.jsonl": jl({"title": "BE\u200bRT \u202eevil\u202c מודל שפה",
                                                          "abstract": "نموذج لغوي\u200f."})},
         ["BERT evil מודל שפה"]),
    Case("CRLF line ends", {"a.csv": "title,abstract\r\nCr Lf,b\r\n", "b.jsonl": GOOD.replace("\n", "\r\n")},
         ["Cr Lf", "Good Paper"]),
    # ----------------------------------------------------------------- CSV
    Case("ragged csv", {"a.csv": "title,abstract\nWide,b,c,d\nNarrow\nFine,x\n"}, ["Narrow", "Fine"],
         [r"a\.csv:2: row has 4 cells, the header 2; skipped"]),
    Case("formula injection csv", {"a.csv": 'title,abstract\n"=HYPERLINK(""http://x"",""y"")",@SUM(A1)\n'},
         ['=HYPERLINK("http://x","y")']),
    Case("csv quote left open", {"a.csv": 'title,abstract\n"Open quote,x\nAfter One,b\nAfter Two,c\n'},
         ["After One", "After Two"], [r"a\.csv:2: CSV row could not be read \(unexpected end of data\); skipped"]),
    Case("csv stray quote", {"a.csv": 'title,abstract\n"Stray"quote,x\nFine Row,y\n'}, ["Fine Row"],
         [r"a\.csv:2: CSV row could not be read"]),
    Case("csv without title column", {"a.csv": "name,text\nx,y\n", "b.jsonl": GOOD}, ["Good Paper"],
         [r"a\.csv:1: CSV header has no 'title' column"]),
    # ----------------------------------------------------------------- BibTeX and XML
    Case("broken bibtex block", {"a.bib": "@article{a, title={Bib A}, abstract={x}}\n@article{b, title = {Broken\n"
                                          "@article{c, title={Bib C}, abstract={y}}\n"},
         ["Bib A", "Bib C"], [r"a\.bib:2: BibTeX block could not be read"]),
    Case("billion laughs", {"a.xml": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
                                     '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&b;</title></entry></feed>',
                            "b.jsonl": GOOD}, ["Good Paper"], [r"a\.xml: XML refused for safety"]),
    Case("external entity", {"a.xml": '<?xml version="1.0"?><!DOCTYPE f [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                      '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&x;</title></entry></feed>'},
         [], [r"a\.xml: XML refused for safety"]),
    Case("truncated atom feed", {"a.xml": FEED[: FEED.index("<title>LoRA")]},
         ["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"],
         [r"a\.xml:\d+: invalid XML"]),
    Case("control characters in atom", {"a.xml": FEED.replace("Jacob Devlin", "Jacob\x00\x1b Devlin")},
         ["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
          "LoRA: Low-Rank Adaptation of Large Language Models"], [r"a\.xml: removed 2 control character"]),
    # ----------------------------------------------------------------- papers that must stay apart
    Case("duplicate ids of distinct papers", {"a.jsonl": jl(*({"id": "x1", "title": t, "abstract": "a"}
                                                              for t in ("First", "Second", "first")))},
         ["First", "Second"], [(r"a\.jsonl:2: id 'x1' is already used by a different paper \(a\.jsonl:1\); "
                                r"this one is given id 'p[0-9a-f]{12}'")]),
    Case("emoji and punctuation titles", {"a.jsonl": jl(*({"title": t, "abstract": a} for t, a in
                                                          (("🚀🚀", "one"), ("🔥", "two"), ("???", "three"),
                                                           ("!!!", "four"), ("🚀🚀", "one"))))},
         ["🚀🚀", "🔥", "???", "!!!"], [r"a\.jsonl:1: title '🚀🚀' has no letters or digits"]),
]


def _write(root: Path, files: dict[str, bytes | str]) -> Path:
    folder = root / "in"
    folder.mkdir()
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def check_result(result, titles: list[str], warns: list[str]) -> None:
    """The titles read in order, each expected warning present, and the invariants of every read."""
    assert [p.title for p in result.papers] == titles
    issues = [str(i) for i in result.issues]
    for pattern in warns:
        assert any(re.search(pattern, issue) for issue in issues), (pattern, issues)
    for issue in issues:
        assert "\n" not in issue and re.match(r"^\S.*?(:\d+)?: \S", issue), issue
    assert len({p.id for p in result.papers}) == len(result.papers)  # distinct papers, distinct ids
    for paper in result.papers:
        for text in (paper.title, paper.abstract, paper.id, paper.url, *paper.authors):
            assert not XML_INVALID.search(text), repr(text[:80])
        assert 0 < len(paper.title) <= MAX_TITLE_CHARS and len(paper.abstract) <= MAX_ABSTRACT_CHARS


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    folder = _write(tmp_path, case.files)
    inputs = [folder / name for name in case.inputs] if case.inputs else [folder]
    if case.error:
        with pytest.raises(InputError, match=case.error) as raised:
            read_papers(inputs)
        assert "\n" not in str(raised.value)
        return
    result = read_papers(inputs)
    check_result(result, case.papers, case.warns)
    if case.issue_count is not None:
        assert len(result.issues) == case.issue_count, [str(i) for i in result.issues]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) + 6 >= 35  # with the cases below that need more than files


def test_unreadable_file_in_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _write(tmp_path, {"a.jsonl": GOOD, "secret.jsonl": jl({"title": "Hidden", "abstract": "x"})})
    (folder / "secret.jsonl").chmod(0)
    if os.geteuid() == 0:  # root reads anything: make the open fail as it would for a user
        import builtins

        real_open = builtins.open

        def guarded(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            if str(file).endswith("secret.jsonl"):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded)
    result = read_papers([folder])
    check_result(result, ["Good Paper"], [r"secret\.jsonl: cannot be read \(Permission denied\); skipped"])


def test_symlink_loops(tmp_path: Path) -> None:
    folder = _write(tmp_path, {"a.jsonl": GOOD})
    (folder / "loop.jsonl").symlink_to(folder / "loop.jsonl")
    (folder / "sub").mkdir()
    (folder / "sub" / "up").symlink_to(folder, target_is_directory=True)
    (folder / "dangling.csv").symlink_to(folder / "gone.csv")
    result = read_papers([folder])
    check_result(result, ["Good Paper"], [r"loop\.jsonl: a symbolic link loop; skipped",
                                          r"up: folder already read", r"dangling\.csv: a broken symbolic link"])
    with pytest.raises(InputError, match=r"loop\.jsonl: symbolic link loop"):
        read_papers([folder / "loop.jsonl"])


def test_same_file_twice_is_read_once(tmp_path: Path) -> None:
    folder = _write(tmp_path, {"a.jsonl": GOOD})
    result = read_papers([folder, folder / "a.jsonl"])
    assert result.records_read == 1


def test_zero_papers_is_an_error_carrying_the_reasons(tmp_path: Path) -> None:
    folder = _write(tmp_path, {"a.bib": "@misc{x, title={No abstract}}\n", "b.bin": bytes(range(256))})
    result = read_papers([folder])
    with pytest.raises(NoPapersError, match=r"no papers read from .*in") as raised:
        require_papers(result, [folder])
    assert [str(i).split("/")[-1] for i in raised.value.issues] == [
        "a.bib:1: @misc{x} has no abstract; skipped", "b.bin: a binary file, not text; skipped"]


def test_zero_papers_build_leaves_previous_output(tmp_path: Path) -> None:
    from kg.build import build

    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.json").write_text("previous")
    folder = _write(tmp_path, {"a.jsonl": ""})
    with pytest.raises(NoPapersError):
        build([folder], out)
    assert (out / "graph.json").read_text() == "previous"


def test_hostile_text_survives_a_build_as_valid_xml(tmp_path: Path) -> None:
    """Control characters, surrogates, RTL and emoji titles: the GraphML and GEXF written parse back."""
    import networkx as nx

    from kg.build import build

    folder = _write(tmp_path, {"a.jsonl": jl(
        {"title": "Ctrl\x00\x1b Paper on BERT", "abstract": "We fine-tune BERT\x01 on SQuAD\ud800."},
        {"id": "same", "title": "🚀", "abstract": "We use GPT-2 [/INST] on WikiText-103."},
        {"id": "same", "title": "🔥", "abstract": "We use T5 on GLUE."},
        {"title": "RTL \u202eBERT\u202c נתונים", "abstract": "We evaluate RoBERTa\u200b on MNLI."}, ascii=True)})
    graph, summary = build([folder], tmp_path / "out")
    assert summary.unique_papers == 4
    assert sum(1 for _, d in graph.nodes(data=True) if d.get("kind") == "Paper") == 4
    for name in ("graph.graphml", "graph.gexf"):
        path = tmp_path / "out" / name
        back = nx.read_graphml(path) if name.endswith("graphml") else nx.read_gexf(path)
        assert back.number_of_nodes() == graph.number_of_nodes()


def test_cli_build_of_no_papers_exits_1_with_the_reasons_and_no_traceback(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kg.cli import app

    folder = _write(tmp_path, {"a[/INST].bib": "@misc{x, title={[/INST] no abstract}}\n", "b.json": "[1]"})
    result = CliRunner().invoke(app, ["build", str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert any(line.startswith("warning: ") and "a[/INST].bib:1: @misc{x} has no abstract" in line for line in lines)
    assert lines[-1].startswith("error: no papers read from")
