"""The keep filter: its features, a toy training run, serialisation, bad weights files, and the
component dropping what the filter refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.keep_model import EntityView, KeepExample, KeepModel, keep_features, train_keep_model
from kg.extract.pipeline import build_nlp, extract_papers
from kg.extract.role_model import PaperContext, find_mentions
from kg.model import Paper

TITLE = "A Study"
# Invented toy sentences (not gold): a capitalised name a paper introduces is an entity; a lower-case
# descriptive phrase ending in "strategy" or "mechanism" is not.
NAMED = ["We propose {}, a method for sparse routing.", "{} outperforms all baselines on long documents."]
DESCRIPTIVE = ["We adopt a {} for sparse routing.", "The {} improves results on long documents."]
NAMES = ["ZephyrNet", "QuokkaLM", "MarlinRoute", "OspreyTune", "HeronPlan", "IbisMix"]
PHRASES = ["adaptive routing strategy", "layered gating mechanism", "dynamic merging strategy",
           "soft voting mechanism", "greedy pruning strategy", "local mixing mechanism"]


def view(sentence: str, name: str, rule: str = "model") -> tuple[PaperContext, EntityView]:
    text = TITLE + "\n\n" + sentence.format(name)
    spans = find_mentions(text, [[name]])[0]
    return PaperContext(text, len(TITLE)), EntityView(name, "method", "uses", [(s, e, rule) for s, e in spans])


def toy_examples() -> list[KeepExample]:
    examples = []
    for sentences, names, correct in ((NAMED, NAMES, True), (DESCRIPTIVE, PHRASES, False)):
        for sentence in sentences:
            for name in names:
                examples.append(KeepExample(*view(sentence, name), correct))
    return examples


@pytest.fixture(scope="module")
def toy_model() -> KeepModel:
    pytest.importorskip("sklearn")
    model = train_keep_model(toy_examples(), c=5.0, min_count=1, seed=0)
    assert model is not None
    return model


def test_features_read_rules_shape_and_neighbouring_words() -> None:
    context, entity = view("We propose {}, a method for sparse routing.", "ZephyrNet", "model+acronym")
    features = keep_features(context, entity)
    assert features["rule=model"] == features["rule=acronym"] == features["rule=acronym|method"] == 1.0
    assert features["camel"] == 1.0 and "lower" not in features
    assert features["L1:propose"] == features["R1:,"] == 1.0
    context, entity = view("We adopt a {} for sparse routing.", "adaptive routing strategy")
    features = keep_features(context, entity)
    assert features["lower|method"] == features["head:strategy"] == features["first:adaptive"] == 1.0


def test_the_filter_keeps_new_names_and_drops_new_descriptive_phrases(toy_model: KeepModel) -> None:
    assert toy_model.keeps(*view("We propose {}, a method for sparse routing.", "PelicanNet"))
    assert not toy_model.keeps(*view("We adopt a {} for sparse routing.", "careful caching strategy"))


def test_one_outcome_only_gives_no_filter() -> None:
    pytest.importorskip("sklearn")
    assert train_keep_model([e for e in toy_examples() if e.correct]) is None


def test_round_trip_and_determinism(toy_model: KeepModel, tmp_path: Path) -> None:
    path = tmp_path / "keep.json"
    toy_model.to_disk(path)
    assert KeepModel.from_disk(path).to_dict() == toy_model.to_dict()
    assert train_keep_model(toy_examples(), c=5.0, min_count=1, seed=0).to_dict() == toy_model.to_dict()


def test_the_component_drops_the_entities_the_filter_refuses() -> None:
    nlp = build_nlp()
    component = nlp.get_pipe("ml_entities")
    shipped = component.keep_model
    assert shipped is not None
    paper = Paper("k1", "PelicanNet: Sparse Routing with a Careful Caching Strategy",
                  "We propose PelicanNet, a routing method. We fine-tune Llama 2 with LoRA and evaluate on MMLU.")
    try:
        component.keep_model = None
        unfiltered = {e.name for e in extract_papers([paper], nlp=nlp)[0].entities}
        for threshold, expected in ((0.0, unfiltered), (1.01, set())):
            component.keep_model = KeepModel(shipped.features, shipped.coef, shipped.intercept,
                                             meta={**shipped.meta, "threshold": threshold})
            assert {e.name for e in extract_papers([paper], nlp=nlp)[0].entities} == expected
    finally:
        component.keep_model = shipped
    assert {"PelicanNet", "Llama 2", "MMLU"} <= {e.name for e in extract_papers([paper], nlp=nlp)[0].entities}
    assert len(unfiltered) >= 4
