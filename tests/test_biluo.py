"""The BILUO tagger's decoding: the best valid tag sequence (Viterbi), and tag sequences to spans; its
embedding folded into tables for prediction."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import spacy

from kg.extract.biluo import BiluoMoves, best_sequences, decode

WORDS = "we use big language model and GLUE today".split()


@pytest.mark.parametrize(("tags", "spans"), [
    (["O", "O", "B-MODEL", "I-MODEL", "L-MODEL", "O", "U-BENCHMARK", "O"],
     [("big language model", "MODEL"), ("GLUE", "BENCHMARK")]),
    # a stray I opens a span; O closes one left open
    (["O", "O", "I-METHOD", "I-METHOD", "O", "O", "O", "O"], [("big language", "METHOD")]),
    # B right after an open span closes it; a span still open at the end runs to the last token
    (["O", "B-MODEL", "B-TASK", "I-TASK", "O", "O", "O", "B-DATASET"],
     [("use", "MODEL"), ("big language", "TASK"), ("today", "DATASET")]),
    # U inside an open span closes it first; a lone L is a one-token span
    (["B-MODEL", "U-METHOD", "O", "O", "L-TASK", "O", "O", "O"],
     [("we", "MODEL"), ("use", "METHOD"), ("model", "TASK")]),
    (["O"] * 8, []),
])
def test_tag_sequences_become_non_overlapping_spans(tags: list[str], spans: list[tuple[str, str]]) -> None:
    doc = spacy.blank("en").make_doc(" ".join(WORDS))
    decoded = decode(doc, tags)
    assert [(span.text, span.label_) for span in decoded] == spans
    doc.ents = decoded  # spaCy accepts them: no overlaps


LABELS = ("O", *(f"{move}-{kind}" for kind in ("MODEL", "TASK") for move in "BILU"))


def _valid(tags: list[str]) -> bool:
    """BILUO order: spans open (B, U) only outside a span, and I, L continue a B or I of their type."""
    inside = ""
    for tag in tags:
        move, _, kind = tag.partition("-")
        if (move in ("I", "L")) != bool(inside) or (inside and kind != inside):
            return False
        inside = kind if move in ("B", "I") else ""
    return not inside


def _log_probs(scores: np.ndarray, penalty: float) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_probs[:, 0] -= penalty
    return log_probs


def test_best_sequences_is_the_best_valid_sequence_of_every_doc() -> None:
    """Against all 9^n sequences of short docs of random scores, a batch of different lengths at once."""
    generator = np.random.default_rng(3)
    scores = [generator.normal(scale=3.0, size=(length, len(LABELS))).astype(np.float32)
              for length in (1, 2, 3, 4, 0, 4, 3)]
    for penalty in (0.0, 1.5):
        decoded = best_sequences(scores, BiluoMoves(LABELS), penalty)
        for doc_scores, path in zip(scores, decoded, strict=True):
            assert len(path) == len(doc_scores)
            if not len(doc_scores):
                continue
            log_probs = _log_probs(doc_scores, penalty)
            best = max((sum(log_probs[i, tag] for i, tag in enumerate(tags)), tags)
                       for tags in itertools.product(range(len(LABELS)), repeat=len(doc_scores))
                       if _valid([LABELS[tag] for tag in tags]))
            assert _valid([LABELS[tag] for tag in path])
            assert math.isclose(sum(log_probs[i, tag] for i, tag in enumerate(path)), best[0], abs_tol=1e-4)


def test_a_penalty_on_outside_turns_a_doubtful_token_into_a_span() -> None:
    """A token whose O barely wins alone is a one-token span once O pays the penalty."""
    scores = np.full((3, len(LABELS)), -5.0, dtype=np.float32)
    scores[:, 0] = 2.0
    scores[1, LABELS.index("U-MODEL")] = 1.5
    assert [LABELS[t] for t in best_sequences([scores], BiluoMoves(LABELS), 0.0)[0]] == ["O", "O", "O"]
    assert [LABELS[t] for t in best_sequences([scores], BiluoMoves(LABELS), 1.0)[0]] == ["O", "U-MODEL", "O"]


def _tagger_docs(nlp: spacy.Language, texts: list[str]) -> list:
    """Docs as the tagger sees them: tokenised, split and voted on by the rules before it."""
    docs = [nlp.make_doc(text) for text in texts]
    for name, component in nlp.pipeline:
        if name == "ner":
            return docs
        docs = [component(doc) for doc in docs]
    raise AssertionError("no ner")


def test_the_folded_embedding_gives_the_shipped_taggers_numbers() -> None:
    """Folded into tables, the shipped tagger's embedding (hashed rows and static vectors) gives the
    model's own embedding on real abstracts, and the tagger the same tags, also after its weights change."""
    from spacy.pipeline import Tagger

    from kg.extract.pipeline import build_nlp
    from kg.readers import read_papers

    nlp = build_nlp()
    tagger = nlp.get_pipe("ner")
    papers = read_papers([Path(__file__).parents[1] / "seeds"]).papers[:40]
    docs = [*_tagger_docs(nlp, [f"{paper.title}\n\n{paper.abstract}" for paper in papers]),
            nlp.make_doc(""), nlp.make_doc("Zyxwv qqq 12 \u00e6\u00f8 unseen-word")]
    folded = tagger._folded_embedding()
    assert folded is not None and folded.static_vectors is not None
    embed = tagger.model.layers[0].layers[0]
    for _ in range(2):
        expected = embed.predict(docs)
        assert [len(doc) for doc in folded(docs)] == [len(doc) for doc in docs]
        assert max(float(np.abs(want - got).max(initial=0)) for want, got in zip(expected, folded(docs),
                                                                               strict=True)) < 1e-4
        assert all((want == got).all() for want, got in zip(Tagger.predict(tagger, docs), tagger.predict(docs),
                                                           strict=True))
        for node in embed.walk():  # new weights, as training gives: the tables follow them
            if node.name in ("hashembed", "maxout"):
                node.set_param(node.param_names[0], node.get_param(node.param_names[0]) * 1.5)


def test_a_tagger_without_static_vectors_is_folded_and_other_embeddings_are_not() -> None:
    from spacy.pipeline import Tagger
    from spacy.training import Example
    from thinc.api import Config

    from kg.extract.biluo import BiluoTagger
    from kg.extract.folded_embedding import FoldedEmbedding

    nlp = spacy.blank("en")
    tagger = nlp.add_pipe("biluo_ner", name="ner")
    assert isinstance(tagger, BiluoTagger)
    texts = ["We fine-tune BERT on GLUE.", "GPT-4 answers questions from SQuAD and more."]
    examples = [Example.from_dict(nlp.make_doc(texts[0]), {"entities": [(13, 17, "MODEL"), (21, 25, "BENCHMARK")]}),
                Example.from_dict(nlp.make_doc(texts[1]), {"entities": [(0, 5, "MODEL"), (29, 34, "DATASET")]})]
    nlp.initialize(lambda: examples)
    docs = [nlp.make_doc(text) for text in texts]
    folded = tagger._folded_embedding()
    assert folded is not None and folded.static_vectors is None
    embed = tagger.model.layers[0].layers[0]
    assert max(float(np.abs(want - got).max()) for want, got in zip(embed.predict(docs), folded(docs),
                                                                   strict=True)) < 1e-5
    assert all((want == got).all() for want, got in zip(Tagger.predict(tagger, docs), tagger.predict(docs),
                                                       strict=True))
    characters = spacy.registry.resolve(Config().from_str("""
        [model]
        @architectures = "spacy.CharacterEmbed.v2"
        width = 32
        rows = 100
        nM = 8
        nC = 4
        include_static_vectors = false
        feature = "NORM"
    """))["model"]
    assert FoldedEmbedding.of(characters) is None
