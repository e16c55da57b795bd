"""Dense classifier features from the pipeline's static word vectors (word2vec over the unlabelled
corpus, `kg.training.vectors`): the mean vector of an entity's name words and that of the words right
around its mentions. A name no annotated paper holds still sits near words of its kind ("DermaMNIST" is
named where datasets are), which sparse features of its spelling cannot know. The type classifier and
the keep filter read them as dense blocks; `PaperContext.vectors` carries the table (None: no dense
features)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from spacy.strings import hash_string
from spacy.vectors import Vectors

if TYPE_CHECKING:
    from kg.extract.role_model import PaperContext

SCALE = 0.3  # each dimension's value beside the sparse 0/1 features (5-fold type accuracy: 0.2 and 0.3
# alike, 0.5 and 1.0 lower)
CONTEXT_WORDS = 2  # words on each side of a mention
_NAME_WORD = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")


class WordVectors:
    """A static vector table looked up by a word's spelling, else by its lower-case form."""

    def __init__(self, vectors: Vectors) -> None:
        self.table = np.asarray(vectors.data)
        self.rows = vectors.key2row

    @classmethod
    def of(cls, vectors: Vectors | None) -> WordVectors | None:
        """The lookup over `vectors`, or None without a table or with an empty one (a pipeline without
        vectors)."""
        return cls(vectors) if vectors is not None and vectors.shape[0] and vectors.shape[1] else None

    def mean(self, words: Sequence[str]) -> np.ndarray | None:
        """The mean vector of the words the table knows, or None if it knows none."""
        rows = []
        for word in words:
            row = self.rows.get(hash_string(word))
            if row is None:
                row = self.rows.get(hash_string(word.lower()))
            if row is not None:
                rows.append(row)
        return self.table[rows].mean(axis=0) * SCALE if rows else None


def vector_features(context: PaperContext, spans: Sequence[tuple[int, int]]) -> dict[str, np.ndarray]:
    """Dense blocks (see `kg.extract.linear_model.SparseLinearModel.scores`): `vec:name`, the mean vector
    of the words of an entity's mentions, and `vec:context`, that of the `CONTEXT_WORDS` words on each
    side of them (none without a vector table, or for words it does not know); computed once per paper and
spans."""
    vectors = context.vectors
    if vectors is None:
        return {}
    key = tuple(sorted(spans))
    found = context.vector_memo.get(key)
    if found is not None:
        return found
    text, tokens = context.text, context.tokens
    names: list[str] = []
    around: list[str] = []
    for start, end in key:
        names.extend(_NAME_WORD.findall(text[start:end]))
        first, last = context.token_index(start), context.token_index(end)
        around.extend(tokens[max(0, first - CONTEXT_WORDS):first] + tokens[last:last + CONTEXT_WORDS])
    found = {}
    for block, words in (("vec:name", names), ("vec:context", around)):
        mean = vectors.mean(words)
        if mean is not None:
            found[block] = mean
    context.vector_memo[key] = found
    return found
