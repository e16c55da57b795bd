"""Static word vectors as classifier features: the lookup, the features, a type learned from vectors
alone, and the shipped classifiers reading them."""

from __future__ import annotations

import numpy as np
import pytest
from spacy.strings import StringStore
from spacy.vectors import Vectors

from kg.extract.role_model import PaperContext, find_mentions
from kg.extract.type_model import TypeExample, train_type_model
from kg.extract.word_vectors import SCALE, WordVectors, vector_features

TITLE = "A Study"


def table(words: dict[str, list[float]]) -> WordVectors:
    vectors = Vectors(strings=StringStore(), shape=(len(words), 2))
    for row, (word, vector) in enumerate(words.items()):
        vectors.add(word, vector=np.asarray(vector, dtype="float32"), row=row)
    return WordVectors(vectors)


def context(abstract: str, vectors: WordVectors | None) -> PaperContext:
    return PaperContext(f"{TITLE}\n\n{abstract}", len(TITLE), vectors)


def test_name_and_context_vectors_are_scaled_means_of_the_words_the_table_knows() -> None:
    vectors = table({"Foo": [1.0, 0.0], "net": [0.0, 1.0], "the": [2.0, 2.0], "model": [4.0, 0.0],
                     "on": [0.0, 4.0]})
    paper = context("We train the Foo-Net model on news.", vectors)
    spans = find_mentions(paper.text, [["Foo-Net"]])[0]
    blocks = vector_features(paper, spans)
    # name words Foo, -, Net: "Net" falls back to "net", "-" is unknown
    assert blocks["vec:name"] == pytest.approx([0.5 * SCALE, 0.5 * SCALE])
    # two words each side: train, the | model, on
    assert blocks["vec:context"] == pytest.approx([(2.0 + 4.0 + 0.0) / 3 * SCALE, (2.0 + 0.0 + 4.0) / 3 * SCALE])
    assert vector_features(context("We train the Foo-Net model on news.", None), spans) == {}
    unknown = context("We train the Qux model on news.", vectors)  # a name the table does not know
    assert vector_features(unknown, find_mentions(unknown.text, [["Qux"]])[0]).keys() == {"vec:context"}


def test_an_empty_table_gives_no_lookup() -> None:
    assert WordVectors.of(Vectors(strings=StringStore(), shape=(0, 0))) is None


def test_the_type_classifier_types_a_name_it_never_saw_by_its_vector() -> None:
    pytest.importorskip("sklearn")
    # Every name sits in the same sentence, so only its vector tells its type: dataset names lie near
    # (1, 0), model names near (0, 1).
    names = {"Arvo": "dataset", "Brisk": "dataset", "Cedar": "dataset", "Dune": "dataset",
             "Ember": "model", "Fjord": "model", "Gale": "model", "Heath": "model"}
    vectors = table({**{n: [1.0, 0.1 * i] if t == "dataset" else [0.1 * i, 1.0]
                        for i, (n, t) in enumerate(names.items())},
                     "Isle": [0.9, 0.0], "Jade": [0.0, 0.9]})
    examples = []
    for name, entity_type in names.items():
        paper = context(f"We report results with {name} in all settings.", vectors)
        examples.append(TypeExample(paper, find_mentions(paper.text, [[name]])[0], entity_type))
    model = train_type_model(examples, c=10.0, min_count=1, seed=0)
    assert any(feature.startswith("vec:name") for feature in model.features)
    for name, expected in (("Isle", "dataset"), ("Jade", "model")):
        paper = context(f"We report results with {name} in all settings.", vectors)
        assert model.predict(paper, find_mentions(paper.text, [[name]])[0], "method") == expected


def test_the_shipped_type_and_keep_classifiers_read_word_vectors() -> None:
    from kg.extract.pipeline import build_nlp

    nlp = build_nlp()
    component = nlp.get_pipe("ml_entities")
    assert nlp.vocab.vectors.shape[0] > 10_000
    for model in (component.type_model, component.keep_model):
        assert any(feature.startswith("vec:") for feature in model.features)
