"""The trained type classifier: a toy training run, the tagger's bonus, serialisation, bad weights files,
and the shipped pipeline using it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.role_model import PaperContext, find_mentions
from kg.extract.type_model import TypeExample, TypeModel, name_pieces, train_type_model

# Invented toy sentences (not gold): a name slot and the type its context and pieces say.
TOY = [
    ("We evaluate on {}, a new benchmark for reasoning.", "benchmark", "Bench"),
    ("Results on the {} benchmark improve by 4 points.", "benchmark", "Eval"),
    ("We fine-tune the {} model on our data.", "model", "LM"),
    ("The {} model with 7B parameters is released.", "model", "GPT"),
    ("We collect {}, a dataset of 10k dialogues.", "dataset", "Corpus"),
    ("The {} corpus contains news articles.", "dataset", "Set"),
    ("We propose {}, a method that prunes tokens.", "method", "Prune"),
    ("Our {} framework adapts the learning rate.", "method", "Opt"),
]
STEMS = ["Alpha", "Beta", "Gamma", "Delta", "Zeta", "Theta", "Kappa", "Sigma"]


def toy_examples() -> list[TypeExample]:
    examples = []
    for stem in STEMS:
        for sentence, entity_type, suffix in TOY:
            name = stem + suffix
            text = "A Study\n\n" + sentence.format(name)
            context = PaperContext(text, len("A Study"))
            examples.append(TypeExample(context, find_mentions(text, [[name]])[0], entity_type))
    return examples


@pytest.fixture(scope="module")
def toy_model() -> TypeModel:
    pytest.importorskip("sklearn")
    return train_type_model(toy_examples(), c=5.0, min_count=1, seed=0)


def predict(model: TypeModel, abstract: str, name: str, tagger_type: str) -> str:
    text = "A Study\n\n" + abstract
    return model.predict(PaperContext(text, len("A Study")), find_mentions(text, [[name]])[0], tagger_type)


def test_name_pieces_split_words_camel_case_and_numbers() -> None:
    assert name_pieces("EHR-Bench") == ["ehr", "bench"]
    assert name_pieces("FinAraT5") == ["fin", "ara", "t", "5"]
    assert name_pieces("HKCanto-Eval") == ["hk", "canto", "eval"]


def test_context_and_name_pieces_overrule_a_wrong_tagger_label(toy_model: TypeModel) -> None:
    assert predict(toy_model, "We report results on the OmegaBench benchmark.", "OmegaBench", "dataset") \
        == "benchmark"
    assert predict(toy_model, "We fine-tune the OmegaLM model.", "OmegaLM", "method") == "model"


def test_the_tagger_label_stands_when_the_classifier_is_unsure(toy_model: TypeModel) -> None:
    for tagger_type in ("model", "method", "dataset", "benchmark"):
        assert predict(toy_model, "It is called Xyzzy.", "Xyzzy", tagger_type) == tagger_type


def test_round_trip_and_determinism(toy_model: TypeModel, tmp_path: Path) -> None:
    path = tmp_path / "types.json"
    toy_model.to_disk(path)
    loaded = TypeModel.from_disk(path)
    assert loaded.to_dict() == toy_model.to_dict()
    assert train_type_model(toy_examples(), c=5.0, min_count=1, seed=0).to_dict() == toy_model.to_dict()


def test_shipped_pipeline_types_new_names_and_keeps_lexicon_types() -> None:
    from kg.extract.pipeline import build_nlp, extract_papers
    from kg.model import Paper

    nlp = build_nlp()
    assert nlp.get_pipe("ml_entities").type_model is not None
    paper = Paper("t1", "KestrelBench: A Benchmark for Spatial Reasoning",
                  "We introduce KestrelBench, a benchmark of 5,000 spatial puzzles. We evaluate GPT-4 and "
                  "Llama 2 on KestrelBench and on MMLU.")
    types = {e.name: e.type for e in extract_papers([paper], nlp=nlp)[0].entities}
    assert types["KestrelBench"] == "benchmark"
    assert types["GPT-4"] == "model" and types["MMLU"] == "benchmark"


def test_a_dataset_or_benchmark_head_noun_ending_a_name_states_its_type() -> None:
    from kg.extract.shapes import resource_head_type

    assert resource_head_type("Symbolic Behaviour Benchmark") == resource_head_type("CASTLE Challenge") == "benchmark"
    assert resource_head_type("INTERPRETABILITY BENCHMARK") == "benchmark"
    assert resource_head_type("The MPB Corpus") == resource_head_type("MER OOD datasets") == "dataset"
    for name in ("Benchmark", "Test Collection", "Reward Model", "Dataset Distillation"):
        assert resource_head_type(name) is None, name
