"""`kg train` on a small toy set (invented papers, not gold), the shipped model's loading and its errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import ModelError
from kg.extract.pipeline import MODEL_DIR, build_nlp, extract_papers
from kg.model import Paper
from kg.training import PRETRAIN_SAMPLE
from kg.training.crossval import cross_validate
from kg.training.data import gold_spans, read_gold_records
from kg.training.self_training import corpus_sample, pseudo_records
from kg.training.trainer import build_model

TOY_GOLD = Path(__file__).parent / "data" / "toy_gold.jsonl"
runner = CliRunner()


def test_gold_aliases_become_non_overlapping_spans_at_word_boundaries() -> None:
    text = "We tune LoRA and QLoRA with low-rank adaptation; LoRAX is another thing."
    spans = gold_spans(text, [{"name": "LoRA", "type": "method", "aliases": ["LoRA", "low-rank adaptation"]},
                              {"name": "low-rank", "type": "method", "aliases": ["low-rank"]}])
    assert [(text[s:e], label) for s, e, label in spans] == [("LoRA", "METHOD"), ("low-rank adaptation", "METHOD")]


def test_training_on_toy_papers_is_deterministic_and_learns_them(tmp_path: Path) -> None:
    records = read_gold_records(TOY_GOLD)
    first, second = tmp_path / "a", tmp_path / "b"
    build_model([TOY_GOLD], first, epochs=20, seed=7)
    build_model([TOY_GOLD], second, epochs=20, seed=7)
    assert (first / "ner" / "model").read_bytes() == (second / "ner" / "model").read_bytes()
    assert (first / "ml_entities" / "keep.json").read_bytes() == (second / "ml_entities" / "keep.json").read_bytes()
    nlp = build_nlp(first)
    assert nlp.get_pipe("ml_entities").keep_model is not None
    assert nlp.pipe_names == ["sentencizer", "ml_rule_votes", "ner", "ml_entities"]
    corpus = extract_papers([r.paper for r in records], nlp=nlp)
    found = {(e.name, e.type) for item in corpus for e in item.entities}
    assert {("GlimmerNet", "method"), ("QuillBench", "benchmark"), ("PlanStack", "dataset")} <= found
    unseen = extract_papers([Paper("n", "Planning again", "We evaluate GlimmerNet on QuillBench.")], nlp=nlp)
    assert {e.name for e in unseen[0].entities} >= {"GlimmerNet", "QuillBench"}


def test_kg_train_writes_a_model_that_kg_build_can_use(tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", "--gold", str(TOY_GOLD), "--out", str(out), "--epochs", "2"])
    assert result.exit_code == 0, result.output
    assert (out / "config.cfg").is_file() and "model written to" in result.output
    assert runner.invoke(app, ["train", "--gold", str(tmp_path / "none.jsonl")]).exit_code == 1


def test_kg_train_writes_the_same_bytes_in_processes_with_other_string_hashes(tmp_path: Path) -> None:
    corpus = toy_corpus(tmp_path / "corpus.jsonl")  # word vectors, pretraining and self-training too
    for hash_seed in ("1", "2"):
        subprocess.run([sys.executable, "-m", "kg.cli", "train", "--gold", str(TOY_GOLD), "--out",
                        str(tmp_path / hash_seed), "--epochs", "2", "--seed", "7", "--corpus", str(corpus),
                        "--self-training", "6"],
                       env={**os.environ, "PYTHONHASHSEED": hash_seed}, check=True, capture_output=True)

    def files(folder: Path) -> dict[str, bytes]:
        return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}

    first, second = files(tmp_path / "1"), files(tmp_path / "2")
    assert "sentencizer.json" in first and first == second


def test_the_shipped_model_loads_and_is_small() -> None:
    nlp = build_nlp()
    assert "ner" in nlp.pipe_names
    assert {tag.partition("-")[2] for tag in nlp.get_pipe("ner").labels} == {
        "", "MODEL", "METHOD", "DATASET", "BENCHMARK", "TASK"}
    size = sum(f.stat().st_size for f in MODEL_DIR.rglob("*") if f.is_file())
    assert size < 50 * 1024 * 1024


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_a_missing_or_corrupt_model_is_one_line_naming_the_file_and_the_command(tmp_path: Path, damage: str) -> None:
    model = tmp_path / "model"
    shutil.copytree(MODEL_DIR, model)
    if damage == "missing":
        shutil.rmtree(model)
    else:
        (model / "ner" / "model").write_bytes(b"not a model")
    with pytest.raises(ModelError) as error:
        build_nlp(model)
    message = str(error.value)
    assert str(model) in message and "kg train" in message and "\n" not in message


def test_the_shipped_model_finds_typed_entities_and_roles_in_an_unseen_abstract() -> None:
    paper = Paper("u", "FlexiRoute: Adaptive Expert Routing for Sparse Models",
                  "We propose FlexiRoute, a routing method for mixture-of-experts models. We fine-tune Llama 2 "
                  "with LoRA and evaluate on MMLU and GSM8K, where FlexiRoute outperforms GPT-4.")
    found = {e.name: (e.type, e.role) for e in extract_papers([paper])[0].entities}
    assert found["FlexiRoute"] == ("method", "proposes")
    assert found["Llama 2"][0] == "model" and found["GPT-4"][0] == "model"
    assert found["MMLU"] == ("benchmark", "uses") and found["GSM8K"][0] == "benchmark"
    assert found["Low-Rank Adaptation"] == ("method", "uses")


def test_a_bad_gold_line_stops_kg_train_with_one_file_line_error(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(TOY_GOLD.read_text(encoding="utf-8").splitlines()[0] + '\n{"pid": "Y9", "title": "No entities"}\n')
    result = runner.invoke(app, ["train", "--gold", str(gold), "--out", str(tmp_path / "model"), "--epochs", "1"])
    assert result.exit_code == 1 and f"{gold}:2: no 'entities' field" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "model").exists()


def toy_corpus(path: Path) -> Path:
    """Invented unlabelled abstracts (not gold) in the corpus format, plus one toy gold paper's title."""
    names = ["OrbitNet", "LanternLM", "MarbleSet", "CinderBench", "TidalNet", "QuarryLM"]
    with path.open("w", encoding="utf-8") as handle:
        for number in range(36):
            a, b = names[number % 6], names[(number + 1) % 6]
            handle.write(json.dumps({"title": f"Study {number} of {a}",
                                     "abstract": f"We propose {a}, a method for long documents. We evaluate {a} "
                                                 f"on the QuillBench benchmark and compare it with {b}."}) + "\n")
        handle.write(json.dumps({"title": "GlimmerNet: Sparse Routing for Long Documents",
                                 "abstract": "A copy of a gold paper."}) + "\n")
    return path


def test_the_self_training_sample_is_fixed_by_the_seed_and_leaves_out_gold_papers(tmp_path: Path) -> None:
    corpus = toy_corpus(tmp_path / "corpus.jsonl")
    gold_titles = [r.paper.title for r in read_gold_records(TOY_GOLD)]
    sample = corpus_sample(corpus, 40, seed=7, exclude_titles=gold_titles)
    assert len(sample) == 36 and all(p.title != gold_titles[0] for p in sample)
    assert [p.id for p in corpus_sample(corpus, 10, 7, gold_titles)] == \
        [p.id for p in corpus_sample(corpus, 10, 7, gold_titles)]
    assert len(corpus_sample(corpus, 40, 7, gold_titles, limit=12)) == 12


def test_self_training_is_deterministic_and_recorded_in_the_model(tmp_path: Path) -> None:
    pytest.importorskip("gensim")
    corpus = toy_corpus(tmp_path / "corpus.jsonl")
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        build_model([TOY_GOLD], out, corpus=corpus, epochs=8, seed=7, self_training=12)
    assert (first / "ner" / "model").read_bytes() == (second / "ner" / "model").read_bytes()
    assert (first / "ml_entities" / "types.json").read_bytes() == (second / "ml_entities" / "types.json").read_bytes()
    meta = json.loads((first / "meta.json").read_text(encoding="utf-8"))
    assert meta["self_training"] == 12 and meta["pretrained_on"] == PRETRAIN_SAMPLE
    teacher = build_nlp(first)
    labelled = pseudo_records(teacher, corpus_sample(corpus, 3, 7))
    assert all(record.entities and all(e["aliases"] for e in record.entities) for record in labelled)


def test_cross_validation_gives_the_same_scores_in_one_process_or_two() -> None:
    # three training papers per fold: too few to split again for the keep filter
    one = cross_validate([TOY_GOLD], folds=2, epochs=4, seed=7, keep_folds=0, workers=1)
    two = cross_validate([TOY_GOLD], folds=2, epochs=4, seed=7, keep_folds=0, workers=2)
    assert {name: report.to_json() for name, report in one.items()} == \
        {name: report.to_json() for name, report in two.items()}
    assert one["all"].papers == len(read_gold_records(TOY_GOLD))


def test_pretraining_learns_to_predict_hidden_words_and_the_tagger_starts_from_it(tmp_path: Path) -> None:
    pytest.importorskip("gensim")
    from kg.extract.pipeline import blank_pipeline
    from kg.training.pretrain import pretrain_encoder, tagger_encoder
    from kg.training.trainer import train
    from kg.training.vectors import train_vectors

    corpus = toy_corpus(tmp_path / "corpus.jsonl")
    vectors = train_vectors(blank_pipeline(), corpus, seed=7)
    papers = corpus_sample(corpus, 36, seed=7)
    losses: list[float] = []
    encoder = pretrain_encoder(papers, vectors, epochs=6, seed=7, on_epoch=lambda _, loss: losses.append(loss))
    assert len(losses) == 6 and losses[-1] < 0.8 * losses[0]  # the hidden words' vectors are learnt
    assert encoder == pretrain_encoder(papers, vectors, epochs=6, seed=7)
    untrained = train(read_gold_records(TOY_GOLD), epochs=0, seed=7, vectors=vectors)
    started = train(read_gold_records(TOY_GOLD), epochs=0, seed=7, vectors=vectors, encoder=encoder)
    assert tagger_encoder(started).to_bytes() == encoder != tagger_encoder(untrained).to_bytes()
