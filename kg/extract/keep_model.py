"""A trained keep-or-drop filter: is an entity the tagger and rules found one the guideline annotates?

The tagger decides mention by mention. This filter reads the whole entity of one paper once its type and
role are known: which rules and whether the tagger found it, how often and where (title, first sentence)
it is named, the shape of its name (lower-case phrase, acronym, camel case, words), its first and last
word ("hybrid ... strategy"), the words around its mentions and the word vectors of its name and of its
neighbours (`kg.extract.word_vectors`). It learns the guideline's hardest call, named technique or
descriptive phrase, from the extractor's own mistakes: `kg train` fits it on what
taggers trained on part of the gold papers found in the other part (`kg.training.trainer.train_keep`).
An entity is dropped when its probability of being kept is below `KEEP_THRESHOLD`. Binary logistic
regression (`kg.extract.linear_model`), saved as `keep.json` beside the role and type classifiers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kg.extract.linear_model import SparseLinearModel, fit
from kg.extract.role_model import PaperContext
from kg.extract.type_model import name_pieces
from kg.extract.word_vectors import vector_features

KEEP_THRESHOLD = 0.35  # below this probability an entity is dropped (chosen on two CV folds: 0.25-0.4)
CONTEXT_MENTIONS = 3  # the first mentions whose neighbouring words are read
KEEP, DROP = "keep", "drop"


@dataclass
class EntityView:
    """One entity of one paper as the filter sees it: its name, type, role and every mention's
    character span with the rule (or "model") that found it."""

    name: str
    entity_type: str
    role: str
    mentions: list[tuple[int, int, str]]


def keep_features(context: PaperContext, entity: EntityView) -> dict[str, float]:
    """Sparse features of one entity: how it was found, where and how often it is named, its name's
    shape, first and last word, and the words right around its first mentions (the word vectors come
    apart: `entity_vectors`)."""
    text, kind = context.text, entity.entity_type
    features: dict[str, float] = {f"type={kind}": 1.0, f"role={entity.role}": 1.0}
    rules = Counter(part for _, _, rule in entity.mentions for part in (rule or "none").split("+"))
    count = len(entity.mentions)
    for rule, hits in rules.items():
        features[f"rule={rule}"] = features[f"rule={rule}|{kind}"] = hits / count
    features["rules=" + "+".join(sorted(rules))] = 1.0
    features["mentions"] = math.log1p(count)
    surfaces = {text[start:end] for start, end, _ in entity.mentions}
    features["spellings>1"] = float(len(surfaces) > 1)
    if any(start < context.title_end for start, _, _ in entity.mentions):
        features["in_title"] = features[f"in_title|{kind}"] = 1.0
    first = 1 if context.title_end else 0  # the abstract's first sentence (the title is one of its own)
    first_end = context.sentences[first][1] if len(context.sentences) > first else len(text)
    if any(context.title_end <= start < first_end for start, _, _ in entity.mentions):
        features["first_sentence"] = 1.0
    words = entity.name.split()
    size = min(len(words), 5)
    features[f"words={size}"] = features[f"words={size}|{kind}"] = 1.0
    name = entity.name
    shape = {"lower": all(s == s.lower() for s in surfaces), "upper": name.isupper(),
             "digit": any(c.isdigit() for c in name), "hyphen": "-" in name,
             "camel": any(a.islower() and b.isupper() for a, b in zip(name, name[1:])),
             "capitalised": all(w[:1].isupper() for w in words) and not name.isupper()}
    for label, found in shape.items():
        if found:
            features[label] = features[f"{label}|{kind}"] = 1.0
    pieces = name_pieces(name)
    if pieces:
        features[f"head:{pieces[-1].removesuffix('s')}"] = 1.0
        if len(words) > 1:
            features[f"first:{pieces[0]}"] = 1.0
    for start, end, _ in sorted(entity.mentions)[:CONTEXT_MENTIONS]:
        before, after = context.token_index(start), context.token_index(end)
        if before > 0:
            features[f"L1:{context.tokens[before - 1]}"] = 1.0
        if after < len(context.tokens):
            features[f"R1:{context.tokens[after]}"] = 1.0
    return features


def entity_vectors(context: PaperContext, entity: EntityView) -> dict[str, np.ndarray]:
    """The dense word-vector blocks of an entity's mentions (`kg.extract.word_vectors`)."""
    return vector_features(context, [(start, end) for start, end, _ in entity.mentions])


class KeepModel(SparseLinearModel):
    """Binary logistic regression over sparse keep features; numpy-only inference."""

    FORMAT = "paper-kg-keep-model"
    KIND = "keep model"
    CLASSES = (DROP, KEEP)

    def keeps(self, context: PaperContext, entity: EntityView) -> bool:
        """Whether the entity stays: its probability of being kept is at least the threshold."""
        return self.keeps_many(context, [entity])[0]

    def keeps_many(self, context: PaperContext, entities: Sequence[EntityView]) -> list[bool]:
        """`keeps` for many entities of one paper, scored together."""
        if not entities:
            return []
        threshold = float(self.meta.get("threshold", KEEP_THRESHOLD))
        probabilities = self.scores_many([keep_features(context, entity) for entity in entities],
                                         [entity_vectors(context, entity) for entity in entities])
        return [float(p) >= threshold for p in probabilities[:, self.classes.index(KEEP)]]


@dataclass
class KeepExample:
    """One entity an extractor found in a paper it did not train on, and whether the gold has it."""

    context: PaperContext
    entity: EntityView
    correct: bool


def train_keep_model(examples: Sequence[KeepExample], c: float = 0.1, min_count: int = 2, seed: int = 0,
                     threshold: float = KEEP_THRESHOLD) -> KeepModel | None:
    """Fit the filter (scikit-learn, from the `train` extra); deterministic. None when the examples do
    not hold both outcomes (nothing to learn)."""
    labels = [KEEP if example.correct else DROP for example in examples]
    if len(set(labels)) < 2:
        return None
    rows = [{**keep_features(example.context, example.entity), **entity_vectors(example.context, example.entity)}
            for example in examples]
    kept, coef, intercept = fit(rows, labels, KeepModel.CLASSES, c, min_count, seed)
    return KeepModel(kept, coef, intercept, meta={"c": c, "min_count": min_count, "seed": seed,
                                                  "threshold": threshold, "examples": len(examples)})
