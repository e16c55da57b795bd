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
    assert [m for m in messages if m.startswith(f"{odd}")] == [
        f"{odd}:1: CSV header has no 'title' column; file skipped"]


def test_missing_input_raises_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file or directory"):
        read_papers([tmp_path / "nope.jsonl"])


def test_a_glob_pattern_reads_its_matches_in_name_order(tmp_path: Path) -> None:
    for name, title in (("b.jsonl", "Beta"), ("a.jsonl", "Alpha"), ("c.csv", "Gamma")):
        line = json.dumps({"title": title, "abstract": "x"}) if name.endswith(".jsonl") else f"title\n{title}"
        (tmp_path / "shards" / "deep").mkdir(parents=True, exist_ok=True)
        (tmp_path / "shards" / name).write_text(line + "\n")
    (tmp_path / "shards" / "deep" / "d.jsonl").write_text(json.dumps({"title": "Delta", "abstract": "y"}) + "\n")
    assert [p.title for p in read_papers([tmp_path / "shards" / "*.jsonl"]).papers] == ["Alpha", "Beta"]
    assert [p.title for p in read_papers([tmp_path / "shards" / "**" / "*.jsonl"]).papers] == ["Alpha", "Beta",
                                                                                                "Delta"]


def test_a_glob_matching_nothing_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"data/\*\.jsonl\.gz: no file or folder matches this pattern$"):
        read_papers([tmp_path / "data" / "*.jsonl.gz"])


# --------------------------------------------------------------------------- formats (tests/fixtures)

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _one(name: str):
    result = read_papers([FIXTURES / name])
    return result, {p.title: p for p in result.papers}


def test_arxiv_api_atom_feed() -> None:
    result, papers = _one("arxiv_api.xml")
    assert result.issues == []
    bert = papers["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert bert.id == "1810.04805" and bert.year == 2018 and bert.authors == ["Jacob Devlin", "Ming-Wei Chang"]
    assert bert.url == "http://arxiv.org/abs/1810.04805v2" and bert.sources == ["arxiv_api.xml:10"]
    assert "\n" not in bert.abstract and "GLUE score to 80.5% and SQuAD" in bert.abstract
    lora = papers["LoRA: Low-Rank Adaptation of Large Language Models"]
    assert "by 10,000× and the GPU" in lora.abstract and lora.year == 2021


def test_arxiv_snapshot_json_lines_fold_latex() -> None:
    result, papers = _one("arxiv_snapshot.jsonl")
    assert result.issues == []
    paper = papers["Calibrated α-Divergence Training of Transformers on ImageNet"]
    assert paper.id == "0704.0001" and paper.year == 2007 and paper.url == "https://arxiv.org/abs/0704.0001"
    assert paper.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky"]
    assert paper.abstract == ("We train a Vision Transformer (ViT) with an α-divergence loss on ImageNet and report "
                              "85% top-1 accuracy; the café of results is robust.")
    assert papers["GPT-4 Technical Report"].year == 2023  # no versions: the year the id was given


@pytest.mark.parametrize("name", ["openalex_page.json", "openalex_works.jsonl"])
def test_openalex_page_and_lines(name: str) -> None:
    result, papers = _one(name)
    assert result.issues == []
    paper = papers["Attention Is All You Need"]
    assert paper.abstract == ("We propose the Transformer, based solely on attention mechanisms. "
                              "It reaches 28.4 BLEU on WMT 2014.")
    assert (paper.id, paper.year, paper.url) == ("W2963403868", 2017, "https://doi.org/10.48550/arxiv.1706.03762")
    assert paper.authors == ["Ashish Vaswani", "Noam Shazeer"]
    scaling = papers["Scaling Laws for Neural Language Models"]  # display_name only, no abstract
    assert scaling.abstract == "" and scaling.url == "https://openalex.org/W3001279689"
    if name.endswith(".json"):
        assert paper.sources == ["openalex_page.json:9"]  # the line where the record starts


def test_semantic_scholar_page_and_bulk_lines() -> None:
    result, papers = _one("s2_search.json")
    assert result.issues == []
    paper = papers["Attention is All you Need"]
    assert paper.id == "204e3073870fae3d05bcbc2f6a8e263d9b72e776" and paper.year == 2017
    assert paper.authors == ["Ashish Vaswani", "Noam M. Shazeer"] and "Transformer" in paper.abstract
    bert = papers["BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"]
    assert bert.abstract == "" and bert.url == "https://doi.org/10.18653/v1/N19-1423"
    result, papers = _one("s2_bulk.jsonl")
    roberta = papers["RoBERTa: A Robustly Optimized BERT Pretraining Approach"]
    assert roberta.id == "CorpusId:160025533" and roberta.year == 2019 and roberta.authors == ["Yinhan Liu"]
    t5 = papers["Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer"]
    assert t5.year == 2019 and t5.url == "https://arxiv.org/abs/1910.10683"


def test_bibtex_with_strings_accents_and_entries_without_abstract() -> None:
    result, papers = _one("references.bib")
    assert [str(i) for i in result.issues] == [
        f"{FIXTURES / 'references.bib'}:27: @misc{{noabstract2022}} has no abstract; skipped"]
    rag = papers["Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks"]
    assert rag.id == "2005.11401" and rag.year == 2020 and rag.url == "https://arxiv.org/abs/2005.11401"
    assert rag.authors == ["Patrick Lewis", "Ethan Pérez", "Jörg Müller"]
    assert rag.abstract.endswith("(DPR); RAG reaches 44.5% exact match on Natural Questions.")
    smith = papers["Fine-Tuning T5 on Café Reviews for Sentiment"]  # '#' concatenation, capitalised keys
    assert smith.id == "10.1234/example.5678" and smith.year == 2021 and smith.authors == ["Jane Smith", "Li Wei"]
    assert smith.abstract == "We fine-tune T5 on a corpus of café reviews and evaluate on SST-2 — a small benchmark."


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir()))
def test_every_format_is_detected_by_content_gzip_and_stdin(name: str, tmp_path: Path, monkeypatch) -> None:
    import gzip
    import io
    import sys

    expected = [(p.title, p.id, p.year) for p in read_papers([FIXTURES / name]).papers]
    assert expected
    data = (FIXTURES / name).read_bytes()
    plain = tmp_path / "download"  # no suffix: the content decides
    plain.write_bytes(data)
    packed = tmp_path / (name + ".gz")
    packed.write_bytes(gzip.compress(data))
    for path in (plain, packed):
        assert [(p.title, p.id, p.year) for p in read_papers([path]).papers] == expected
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(data))))
    result = read_papers(["-"])
    assert [(p.title, p.id, p.year) for p in result.papers] == expected
    assert all(source.startswith("<stdin>:") for p in result.papers for source in p.sources)


def test_json_document_is_read_as_a_document_not_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"meta": {"count": 2}, "results": [
        {"title": "One", "abstract": "First."}, {"title": "Two", "abstract": "Second."}]}, indent=4))
    result = read_papers([path])
    assert [p.title for p in result.papers] == ["One", "Two"] and result.issues == []
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"title": "Solo", "abstract": "Alone.", "year": 2020}, indent=2))
    assert [p.title for p in read_papers([single]).papers] == ["Solo"]


@pytest.mark.parametrize("source, folded", [
    (r"Caf\'e, M{\"u}ller, \"{O}zt\"urk, Ho\v{r}ej\v s\'{\i}, \c{C}a\u{g}lar", "Café, Müller, Öztürk, Hořejší, Çağlar"),
    (r"an $\alpha$-divergence with $\Sigma \leq 10^{-3}$", "an α-divergence with Σ ≤ 10^-3"),
    (r"\emph{BERT} on {SQuAD}: 50\% better --- see~\cite{x}.", "BERT on SQuAD: 50% better — see."),
    (r"``quoted'' a~b \textbf{bold} {\em it} it's pre-trained", "“quoted” a b bold  it it's pre-trained"),
    ("plain text, nothing to do", "plain text, nothing to do"),
])
def test_fold_latex(source: str, folded: str) -> None:
    from kg.readers.latex import fold_latex

    assert fold_latex(source) == folded


def test_fold_latex_is_linear_on_hostile_text() -> None:
    import time

    from kg.readers.latex import fold_latex

    for unit in ("\\cite[", "{", "\\'", "$", "\\", "\\c ", "\\citep[a]", "-'"):
        started = time.perf_counter()
        fold_latex(unit * (200_000 // len(unit)))
        assert time.perf_counter() - started < 5
