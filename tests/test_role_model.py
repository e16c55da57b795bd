"""The trained role classifier: a toy training run, serialisation, and bad weights files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extract.role_model import (
    DEFAULT_MODEL_PATH,
    RoleExample,
    RoleModel,
    find_mentions,
    role_features,
    rule_role,
    split_sentences,
    train_role_model,
)

# Invented toy papers (not gold): (title, abstract, [(aliases, type, role)]).
TOY = [
    ("Learning to Rank Images", "We propose {P}, a new network for ranking. We fine-tune {U} on our data. "
     "Prior architectures such as {M} were slow.", [("P", "method", "proposes"), ("U", "model", "uses"),
                                                    ("M", "method", "mentions")]),
    ("Efficient Retrieval", "Existing systems such as {M} are costly. In this paper we introduce {P}, a novel "
     "retriever. We train {U} as our backbone and evaluate on {U2}.",
     [("M", "method", "mentions"), ("P", "method", "proposes"), ("U", "model", "uses"),
      ("U2", "benchmark", "uses")]),
    ("Better Summaries", "Recent models such as {M} have been popular. We present {P}, a summariser. "
     "We use {U} and compare with {U2}.", [("M", "model", "mentions"), ("P", "method", "proposes"),
                                           ("U", "model", "uses"), ("U2", "model", "uses")]),
    ("Robust Parsing", "Many previous parsers, e.g. {M}, fail on noisy text. We propose {P}, a new parser. "
     "We fine-tune {U} on {U2} and report results.", [("M", "method", "mentions"), ("P", "method", "proposes"),
                                                      ("U", "model", "uses"), ("U2", "dataset", "uses")]),
]
NAMES = ["AlphaNet", "BetaLM", "GammaNet", "DeltaNet", "EpsNet", "ZetaLM", "EtaNet", "ThetaSet", "IotaNet",
         "KappaLM", "LambdaNet", "MuBench", "NuNet", "XiLM", "OmicronNet", "PiCorpus"]


def toy_examples(repeat: int = 3) -> list[RoleExample]:
    examples = []
    names = iter(NAMES * repeat)
    for round_ in range(repeat):
        for number, (title, abstract, entities) in enumerate(TOY):
            chosen = {slot: next(names) for slot, _, _ in entities}
            text_abstract = abstract.format(**chosen)
            text = title + "\n\n" + text_abstract
            spans = find_mentions(text, [[chosen[slot]] for slot, _, _ in entities])
            for (slot, entity_type, role), entity_spans in zip(entities, spans, strict=True):
                examples.append(RoleExample(text, len(title), entity_type, entity_spans,
                                            rule_role(text, len(title), entity_spans), False, role,
                                            pid=f"toy{round_}-{number}", name=chosen[slot]))
    return examples


@pytest.fixture(scope="module")
def toy_model() -> RoleModel:
    pytest.importorskip("sklearn")
    return train_role_model(toy_examples(), c=5.0, min_count=1, seed=0)


def predict(model: RoleModel, title: str, abstract: str, name: str, entity_type: str) -> tuple[str, float]:
    text = title + "\n\n" + abstract
    spans = find_mentions(text, [[name]])[0]
    assert spans, name
    return model.predict(text, len(title), entity_type, spans, rule_role(text, len(title), spans), False)


def test_toy_training_predicts_the_obvious_cases(toy_model: RoleModel) -> None:
    role, probability = predict(toy_model, "A Study of Vision", "We propose FooNet, a novel architecture for "
                                "segmentation.", "FooNet", "method")
    assert role == "proposes" and probability > 0.5
    assert predict(toy_model, "Adapting Models", "We fine-tune BarLM on a medical corpus.", "BarLM",
                   "model")[0] == "uses"
    assert predict(toy_model, "Fast Detection", "Previous detectors such as BazNet are slow. We propose a "
                   "faster one.", "BazNet", "method")[0] == "mentions"


def test_round_trip_gives_identical_probabilities(toy_model: RoleModel, tmp_path: Path) -> None:
    path = tmp_path / "roles.json"
    toy_model.to_disk(path)
    loaded = RoleModel.from_disk(path)
    assert loaded.features == toy_model.features and loaded.uses_rule == toy_model.uses_rule
    for ex in toy_examples(1):
        args = (ex.text, ex.title_end, ex.entity_type, ex.spans, ex.rule_role, ex.known)
        assert loaded.predict_proba(*args) == toy_model.predict_proba(*args)


def test_deterministic_given_a_seed() -> None:
    pytest.importorskip("sklearn")
    first = train_role_model(toy_examples(), c=5.0, min_count=1, seed=7).to_dict()
    assert train_role_model(toy_examples(), c=5.0, min_count=1, seed=7).to_dict() == first


def test_shipped_model_loads_and_predicts() -> None:
    model = RoleModel.from_disk(DEFAULT_MODEL_PATH)
    assert DEFAULT_MODEL_PATH.stat().st_size < 2_000_000
    title = "FooNet: Fast Segmentation with Sparse Kernels"
    text = title + "\n\nWe propose FooNet, a segmentation network. We evaluate it on ImageNet."
    spans = find_mentions(text, [["FooNet"], ["ImageNet"]])
    role, probability = model.predict(text, len(title), "method", spans[0], "proposes", False)
    assert role == "proposes" and 0.0 < probability <= 1.0
    probabilities = model.predict_proba(text, len(title), "dataset", spans[1], "uses", True)
    assert set(probabilities) == {"proposes", "uses", "mentions"}
    assert sum(probabilities.values()) == pytest.approx(1.0)


def test_mentions_are_longest_first_word_aligned_and_disjoint() -> None:
    text = "multilingual BERT beats BERT and BERTology; mBERT too."
    spans = find_mentions(text, [["BERT"], ["multilingual BERT", "mBERT"]])
    assert spans[0] == [(24, 28)]
    assert spans[1] == [(0, 17), (44, 49)]


def test_sentences_and_features_are_linear_and_sensible() -> None:
    title = "A Title"
    text = title + "\n\nPrior work (Smith et al., 2020) used X. We propose Y, e.g. for Z. Done."
    sentences = split_sentences(text, len(title))
    assert sentences[0] == (0, len(title))
    assert [text[s:e].strip() for s, e in sentences[1:]] == [
        "Prior work (Smith et al., 2020) used X.", "We propose Y, e.g. for Z.", "Done."]
    features = role_features(text, len(title), "method", [(text.index("Y"), text.index("Y") + 1)], "proposes", False)
    assert features["first:self_propose_before"] == 1.0 and features["rule=proposes"] == 1.0
    long_text = "We propose X. " + "a " * 200_000 + "b.\t" * 100_000  # linear: no backtracking, no rescans
    assert role_features(long_text, 0, "method", [(11, 12)])
    assert split_sentences("See e.g. X. And (cf. Y) et al. Z. Done.") == [(0, 11), (11, 33), (33, 39)]
