"""A trained type classifier: is an entity the tagger found a model, method, dataset, benchmark or task?

The tagger labels each mention from a few tokens of context. This classifier reads the whole entity:
the pieces of its name (`EHR-Bench` -> ehr, bench; `FinAraT5` -> fin, ara, t, 5), their shape, the words
around every mention, for a name in the title the title's words ("SANSKRITI: A Comprehensive
Benchmark ..."), and the static word vectors of its name and neighbours (`kg.extract.word_vectors`).
The tagger's own label adds a fixed bonus to its class's log-probability, so the classifier overrules it
only when it is clearly more sure. Names the lexicon knows keep the lexicon's type. Multinomial logistic regression (`kg.extract.linear_model`), trained on the gold entities by
`kg train`, saved as `types.json` beside the role classifier.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.extract.linear_model import SparseLinearModel, fit
from kg.extract.role_model import PaperContext
from kg.extract.word_vectors import vector_features
from kg.model import ENTITY_TYPES

WINDOW = 3  # tokens on each side of a mention read as its context
# Added to the log-probability of the tagger's label. On the five fold models of 5-fold CV (word-vector
# features, 649f6b1), typed F1 train.jsonl / dev.jsonl: 1.0 0.669 / 0.826, 1.5 0.670 / 0.828, 2.0 0.672 /
# 0.835, 2.5 0.673 / 0.840, 3.0 0.674 / 0.840, 4.0 0.673 / 0.840, 10 (the tagger's label always) 0.667 / 0.843.
TAGGER_BONUS = 3.0
_PIECE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_SIZE = re.compile(r"\d+(?:\.\d+)?[BbMm]\b")
_VERSION = re.compile(r"-v?\d")
_CAMEL = re.compile(r"[a-z][A-Z]")


def name_pieces(surface: str) -> list[str]:
    """The lower-cased pieces of a name: words, camel-case parts and numbers."""
    return [piece.lower() for piece in _PIECE.findall(surface)]


def type_features(context: PaperContext, spans: Sequence[tuple[int, int]]) -> dict[str, float]:
    """Sparse features of one entity of one paper: its name's pieces and shape, the words around its
    mentions and, when it is named in the title, the title's words (the word vectors come apart, as dense
    blocks: `vector_features`)."""
    text = context.text
    features: dict[str, float] = {}
    for surface in {text[start:end] for start, end in spans}:
        pieces = name_pieces(surface)
        features.update(dict.fromkeys([f"P:{piece}" for piece in pieces], 1.0))
        if pieces:
            features[f"first:{pieces[0]}"] = features[f"head:{pieces[-1]}"] = 1.0
        features[f"words={min(len(surface.split()), 4)}"] = 1.0
        lower = surface.lower()
        features.update(dict.fromkeys([f"suffix:{lower[-k:]}" for k in (3, 4) if len(surface) > k], 1.0))
        for name, found in (("digit", any(c.isdigit() for c in surface)), ("size", _SIZE.search(surface)),
                            ("version", _VERSION.search(surface)), ("upper", surface.isupper()),
                            ("lower", surface.islower()), ("camel", _CAMEL.search(surface))):
            if found:
                features[name] = 1.0
    for start, end in spans:
        first, last = context.token_index(start), context.token_index(end)
        sentence_first, sentence_end = context.sentence_tokens[context.sentence_index(start)]
        left = context.tokens[max(sentence_first, first - WINDOW):first]
        right = context.tokens[last:min(sentence_end, last + WINDOW)]
        features.update(dict.fromkeys([f"L:{t}" for t in left] + [f"R:{t}" for t in right], 1.0))
        if left:
            features[f"L1:{left[-1]}"] = 1.0
        if right:
            features[f"R1:{right[0]}"] = 1.0
        if start < context.title_end:
            features["in_title"] = 1.0
            title_tokens = context.tokens[:context.token_index(context.title_end)]
            features.update(dict.fromkeys([f"T:{t}" for t in title_tokens], 1.0))
    return features


class TypeModel(SparseLinearModel):
    """Multinomial logistic regression over sparse type features; numpy-only inference."""

    FORMAT = "paper-kg-type-model"
    KIND = "type model"
    CLASSES = ENTITY_TYPES

    def predict(self, context: PaperContext, spans: Sequence[tuple[int, int]], tagger_type: str) -> str:
        """The entity's type: the classifier's, with `TAGGER_BONUS` added for the tagger's label."""
        return self.predict_many(context, [(spans, tagger_type)])[0]

    def predict_many(self, context: PaperContext, entities: Sequence[tuple[Sequence[tuple[int, int]], str]],
                     ) -> list[str]:
        """`predict` for many (spans, tagger type) entities of one paper, scored together."""
        if not entities:
            return []
        scores = np.log(self.scores_many([type_features(context, spans) for spans, _ in entities],
                                         [vector_features(context, spans) for spans, _ in entities]) + 1e-12)
        for row, (_, tagger_type) in zip(scores, entities):
            if tagger_type in self.classes:
                row[self.classes.index(tagger_type)] += TAGGER_BONUS
        return [self.classes[int(i)] for i in scores.argmax(axis=1)]


@dataclass
class TypeExample:
    """One gold entity of one paper: the paper, its mention spans and its type."""

    context: PaperContext
    spans: list[tuple[int, int]]
    entity_type: str


def train_type_model(examples: Sequence[TypeExample], c: float = 1.0, min_count: int = 2, seed: int = 0,
                     class_weight: str | None = "balanced") -> TypeModel:
    """Fit the type classifier (scikit-learn, from the `train` extra); deterministic."""
    rows = [{**type_features(example.context, example.spans), **vector_features(example.context, example.spans)}
            for example in examples]
    kept, coef, intercept = fit(rows, [example.entity_type for example in examples], ENTITY_TYPES, c, min_count,
                                seed, class_weight)
    return TypeModel(kept, coef, intercept, meta={"c": c, "min_count": min_count, "seed": seed,
                                                  "class_weight": class_weight, "examples": len(examples)})
