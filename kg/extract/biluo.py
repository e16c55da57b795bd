"""The tagger `biluo_ner`: a per-token softmax over BILUO entity tags, decoded into `doc.ents`.

It reads the same CNN features as spaCy's transition-based `ner` (each token's form, its rule vote as
TAG, static vectors) but scores every token in one matrix product instead of walking a state machine
token by token, which halves the tagger's time. Training reads the gold entities of each Example
(`Example.get_aligned_ner`); prediction takes each token's best tag and reads spans off the sequence,
mending the sequences a per-token choice can produce (an `I-` with no `B-` before it opens a span, a
span left open closes at the next `O`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

from spacy.language import Language
from spacy.pipeline import Tagger
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.vocab import Vocab
from thinc.api import Model, NumpyOps, SequenceCategoricalCrossentropy, get_current_ops
from threadpoolctl import ThreadpoolController

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
_BLAS = ThreadpoolController()


class BlasOps(NumpyOps):
    """thinc's CPU ops with matrix products by numpy's BLAS on one thread: two to three times blis's
    speed on the tagger's shapes, and one thread per process however many processes share the cores."""

    def __init__(self) -> None:
        super().__init__(use_blis=False)

    def gemm(self, x, y, *, out=None, trans1: bool = False, trans2: bool = False):
        with _BLAS.limit(limits=1, user_api="blas"):
            return super().gemm(x, y, out=out, trans1=trans1, trans2=trans2)
_MISSING = ("", "-", None)


@Language.factory("biluo_ner", default_config={"model": TAGGER_MODEL, "label_smoothing": 0.0,
                                              "scorer": {"@scorers": "spacy.ner_scorer.v1"}})
def make_biluo_ner(nlp: Language, name: str, model: Model, label_smoothing: float,
                   scorer: Callable | None) -> BiluoTagger:
    return BiluoTagger(nlp.vocab, model, name, label_smoothing=label_smoothing, scorer=scorer)


class BiluoTagger(Tagger):
    """spaCy's Tagger trained on BILUO entity tags; its predictions become `doc.ents` (token tags are
    left as they are: the rule layer's votes live there)."""

    def __init__(self, vocab: Vocab, model: Model, name: str = "ner", *, label_smoothing: float = 0.0,
                 scorer: Callable | None = None) -> None:
        super().__init__(vocab, model, name, overwrite=False, scorer=scorer, label_smoothing=label_smoothing)
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

    def set_annotations(self, docs: Iterable[Doc], batch_tag_ids) -> None:
        labels = self.labels
        for doc, tag_ids in zip(docs, batch_tag_ids, strict=True):
            doc.ents = decode(doc, [labels[tag_id] for tag_id in tag_ids.tolist()])


def decode(doc: Doc, tags: list[str]) -> list[Span]:
    """The entity spans a tag sequence describes. A span opens at B, U or a stray I/L and takes that
    tag's label; it closes after L or U, and before O, B or U."""
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
