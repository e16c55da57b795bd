"""The tagger `biluo_ner`: a per-token softmax over BILUO entity tags, decoded into `doc.ents`.

It reads the same CNN features as spaCy's transition-based `ner` (each token's form, its rule vote as
TAG, static vectors) but scores every token in one matrix product instead of walking a state machine
token by token, which halves the tagger's time. Training reads the gold entities of each Example
(`Example.get_aligned_ner`); prediction takes the valid tag sequence with the highest probability
(Viterbi over the BILUO moves, with a penalty on O that trades some precision for recall the keep
filter wins back) and reads spans off it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

import numpy as np
from spacy.language import Language
from spacy.pipeline import Tagger
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.vocab import Vocab
from thinc.api import Model, NumpyOps, SequenceCategoricalCrossentropy, get_current_ops
from threadpoolctl import ThreadpoolController

from kg.extract.folded_embedding import FoldedEmbedding

# The model: a per-token softmax over a CNN whose input embeds each token's
# rule vote (TAG) next to its own form, so the lexicon and rules are features the model learns to trust
# or overrule.
TAGGER_MODEL = {
    "@architectures": "spacy.Tagger.v2",
    "nO": None,
    "normalize": False,
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64,
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG"], "rows": [5000, 1000, 2500, 2500, 300],
                  "include_static_vectors": False},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64, "depth": 3,
                   "window_size": 1, "maxout_pieces": 2},
    },
}
OUTSIDE = "O"
# Taken off O's log-probability at every token before decoding: the tagger proposes more spans, the
# keep filter after it judges them. 1.5 was the best of 0-3 on the 5-fold models' held-out papers
# (typed F1 +0.006 on train.jsonl and +0.008 on dev.jsonl over 0); anything from 1 to 2 is about as good.
OUTSIDE_PENALTY = 1.5
_IMPOSSIBLE = -1e9
_MISSING = ("", "-", None)  # gold tags of tokens the gold cannot align
_BLAS = ThreadpoolController()


class BlasOps(NumpyOps):
    """thinc's CPU ops with matrix products by numpy's BLAS on one thread: two to three times blis's
    speed on the tagger's shapes, and one thread per process however many processes share the cores."""

    def __init__(self) -> None:
        super().__init__(use_blis=False)

    def gemm(self, x, y, *, out=None, trans1: bool = False, trans2: bool = False):
        with _BLAS.limit(limits=1, user_api="blas"):
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)


@Language.factory("biluo_ner", default_config={"model": TAGGER_MODEL, "label_smoothing": 0.0,
                                              "outside_penalty": OUTSIDE_PENALTY,
                                              "scorer": {"@scorers": "spacy.ner_scorer.v1"}})
def make_biluo_ner(nlp: Language, name: str, model: Model, label_smoothing: float, outside_penalty: float,
                   scorer: Callable | None) -> BiluoTagger:
    """The tagger; `outside_penalty` is taken off each token's log-probability of O before decoding."""
    return BiluoTagger(nlp.vocab, model, name, label_smoothing=label_smoothing, outside_penalty=outside_penalty,
                       scorer=scorer)


class BiluoTagger(Tagger):
    """spaCy's Tagger trained on BILUO entity tags; its predictions become `doc.ents` (token tags are
    left as they are: the rule layer's votes live there)."""

    def __init__(self, vocab: Vocab, model: Model, name: str = "ner", *, label_smoothing: float = 0.0,
                 outside_penalty: float = OUTSIDE_PENALTY, scorer: Callable | None = None) -> None:
        super().__init__(vocab, model, name, overwrite=False, scorer=scorer, label_smoothing=label_smoothing)
        self.outside_penalty = outside_penalty
        self._moves: BiluoMoves | None = None
        self._folded: tuple[Model, FoldedEmbedding | None] | None = None  # (embedding, its folded form)
        if type(get_current_ops()) is NumpyOps:  # on the CPU (a GPU's ops are left alone)
            ops = BlasOps()
            for node in model.walk():
                node.ops = ops

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None,
                   labels: Iterable[str] | None = None) -> None:
        """Labels: every B/I/L/U tag of every entity label in the examples, and O."""
        if labels is None:
            types = sorted({span.label_ for example in get_examples() for span in example.reference.ents})
            labels = [OUTSIDE, *(f"{move}-{kind}" for kind in types for move in "BILU")]
        for label in labels:
            self.add_label(label)
        docs, truths = [], []
        for example in islice(get_examples(), 10):
            docs.append(example.predicted)
            tags = example.get_aligned_ner()
            truths.append(self.model.ops.asarray(
                [[1.0 if tag == label else 0.0 for label in self.labels] for tag in tags], dtype="float32"))
        self._require_labels()
        self.model.initialize(X=docs, Y=truths)

    def get_loss(self, examples: Iterable[Example], scores) -> tuple[float, list]:
        """Cross-entropy against each token's gold BILUO tag; tokens the gold cannot align are skipped."""
        loss_func = SequenceCategoricalCrossentropy(names=self.labels, normalize=False,
                                                    label_smoothing=self.cfg["label_smoothing"])
        truths = [[None if tag in _MISSING else tag for tag in example.get_aligned_ner()] for example in examples]
        d_scores, loss = loss_func(scores, truths)
        return float(loss), d_scores

    def predict(self, docs: Iterable[Doc]) -> list[np.ndarray]:
        """Each doc's best tag ids. On the CPU a `MultiHashEmbed` embedding runs folded into tables
        (`FoldedEmbedding`): the same scores up to float rounding, in a third less time."""
        docs = list(docs)
        folded = self._folded_embedding()
        if folded is None or not any(len(doc) for doc in docs) or not folded.reads(docs[0].vocab.vectors):
            return super().predict(docs)
        (_, encode), output = self.model.layers[0].layers, self.model.layers[1]
        return self._scores2guesses(output.predict(encode.predict(folded(docs))))

    def _folded_embedding(self) -> FoldedEmbedding | None:
        """The folded form of the model's embedding, if it is a CPU `MultiHashEmbed` inside spaCy's
        Tagger(Tok2Vec(embed, encode)) layout."""
        if not isinstance(self.model.ops, BlasOps) or len(self.model.layers) != 2:
            return None
        tok2vec = self.model.layers[0]
        if len(tok2vec.layers) != 2:
            return None
        embed = tok2vec.layers[0]
        if self._folded is None or self._folded[0] is not embed:  # folded once per embedding model
            self._folded = (embed, FoldedEmbedding.of(embed))
        return self._folded[1]

    def _scores2guesses(self, scores) -> list[np.ndarray]:
        """The best valid tag sequence of each doc (spaCy's Tagger takes each token's best tag)."""
        if self._moves is None or self._moves.labels != self.labels:
            self._moves = BiluoMoves(self.labels)
        return best_sequences([self.model.ops.to_numpy(doc_scores) for doc_scores in scores], self._moves,
                              self.outside_penalty)

    def set_annotations(self, docs: Iterable[Doc], batch_tag_ids) -> None:
        labels = self.labels
        for doc, tag_ids in zip(docs, batch_tag_ids, strict=True):
            doc.ents = decode(doc, [labels[tag_id] for tag_id in tag_ids.tolist()])


def decode(doc: Doc, tags: list[str]) -> list[Span]:
    """The entity spans a tag sequence describes. A span opens at B, U or a stray I/L (in a sequence not
    decoded by `best_sequences`) and takes that tag's label; it closes after L or U, and before O, B or U."""
    spans: list[Span] = []
    start, label = -1, ""
    for index, tag in enumerate(tags):
        move, _, kind = tag.partition("-")
        if start >= 0 and move in ("O", "B", "U"):
            spans.append(Span(doc, start, index, label=label))
            start = -1
        if move == "O":
            continue
        if start < 0:
            start, label = index, kind
        if move in ("L", "U"):
            spans.append(Span(doc, start, index + 1, label=label))
            start = -1
    if start >= 0:
        spans.append(Span(doc, start, len(tags), label=label))
    return spans


class BiluoMoves:
    """Where each kind of tag sits in a label list, for decoding: a span may open (O, B-, U-) only
    after an outside tag (O, L-, U-), and an I- or L- follows only a B- or I- of its own type."""

    def __init__(self, labels: tuple[str, ...]) -> None:
        self.labels = labels
        parts = [label.partition("-") for label in labels]
        where = {(move, kind): index for index, (move, _, kind) in enumerate(parts)}
        kinds = sorted({kind for move, _, kind in parts if move != OUTSIDE})
        self.outside_tag = where[(OUTSIDE, "")]
        self.outside = np.array([i for i, (move, _, _) in enumerate(parts) if move in (OUTSIDE, "L", "U")])
        self.opening = np.array([i for i, (move, _, _) in enumerate(parts) if move in (OUTSIDE, "B", "U")])
        self.continued = np.array([[where[("B", kind)] for kind in kinds], [where[("I", kind)] for kind in kinds]])
        self.inner = np.array([where[("I", kind)] for kind in kinds])
        self.last = np.array([where[("L", kind)] for kind in kinds])


def best_sequences(scores: list[np.ndarray], moves: BiluoMoves, outside_penalty: float) -> list[np.ndarray]:
    """Per doc, the valid BILUO sequence with the highest sum of log-probabilities (Viterbi, all docs at
    once), `outside_penalty` taken off O at every token. `scores`: each doc's (tokens, labels) logits."""
    lengths = [len(doc_scores) for doc_scores in scores]
    steps = max(lengths, default=0) + 1  # one step past the longest doc: every path ends outside a span
    log_probs = np.full((len(scores), steps, len(moves.labels)), _IMPOSSIBLE, dtype=np.float32)
    log_probs[:, :, moves.outside_tag] = 0.0  # past a doc's end: O, free
    for row, doc_scores in enumerate(scores):
        if len(doc_scores):
            shifted = doc_scores - doc_scores.max(axis=1, keepdims=True)
            log_probs[row, :len(doc_scores)] = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            log_probs[row, :len(doc_scores), moves.outside_tag] -= outside_penalty
    rows, kinds = np.arange(len(scores)), np.arange(moves.inner.size)
    best = np.full((len(scores), len(moves.labels)), _IMPOSSIBLE, dtype=np.float32)
    best[:, moves.opening] = log_probs[:, 0, moves.opening]
    came_from = np.zeros((steps, len(scores), len(moves.labels)), dtype=np.int16)
    for step in range(1, steps):
        outside = moves.outside[best[:, moves.outside].argmax(axis=1)]  # the best state to open from
        pair = best[:, moves.continued]  # (docs, B-/I-, kinds): the states an I-/L- continues
        which = pair.argmax(axis=1)
        inside = np.take_along_axis(pair, which[:, None, :], axis=1)[:, 0]
        inside_from = moves.continued[which, kinds]
        following = np.empty_like(best)
        following[:, moves.opening] = best[rows, outside][:, None]
        following[:, moves.inner] = following[:, moves.last] = inside
        came_from[step][:, moves.opening] = outside[:, None]
        came_from[step][:, moves.inner] = came_from[step][:, moves.last] = inside_from
        best = following + log_probs[:, step]
    state = moves.outside[best[:, moves.outside].argmax(axis=1)]
    path = np.empty((steps, len(scores)), dtype=np.int64)
    path[-1] = state
    for step in range(steps - 1, 0, -1):
        state = came_from[step, rows, state]
        path[step - 1] = state
    return [path[:length, row] for row, length in enumerate(lengths)]
