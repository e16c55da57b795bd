"""Pretraining the tagger's token encoder on unlabelled abstracts (spaCy's cloze objective): 15% of the
words are hidden (a mask, a random word, or the word itself) and the encoder learns to predict each hidden
word's static vector from the words around it. The tagger then starts from an encoder that has read far
more text than the annotated papers hold, and learns its labels on top of it."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from spacy.language import Language
from spacy.ml.models.multi_task import create_pretrain_vectors
from spacy.training.pretrain import make_update
from spacy.util import fix_random_seed, minibatch
from spacy.vectors import Vectors
from thinc.api import Adam, Model

from kg.extract.pipeline import blank_pipeline
from kg.model import TITLE_SEPARATOR, Paper

PRETRAIN_EPOCHS = 2
_BATCH_SIZE = 32
_HIDDEN_WIDTH = 300  # the layer between the encoder and the predicted vector (spaCy's default)
_LEARN_RATE = 0.001


def tagger_encoder(nlp: Language) -> Model:
    """The token encoder (tok2vec) inside the pipeline's tagger."""
    return nlp.get_pipe("ner").model.get_ref("tok2vec")


def pretrain_encoder(papers: Sequence[Paper], vectors: Vectors, epochs: int = PRETRAIN_EPOCHS, seed: int = 13,
                     on_epoch: Callable[[int, float], None] | None = None) -> bytes:
    """The tagger's encoder (as bytes for `tagger_encoder(nlp).from_bytes`) pretrained on the papers'
    titles and abstracts to predict hidden words' static `vectors`; `on_epoch(epoch, mean loss)`."""
    fix_random_seed(seed)
    nlp = blank_pipeline(vectors)
    docs = list(nlp.tokenizer.pipe((paper.title + TITLE_SEPARATOR + paper.abstract for paper in papers),
                                   batch_size=256))
    encoder = tagger_encoder(nlp)
    encoder.initialize(X=docs[:_BATCH_SIZE])
    cloze = create_pretrain_vectors(maxout_pieces=3, hidden_size=_HIDDEN_WIDTH, loss="cosine")(nlp.vocab, encoder)
    cloze.initialize(X=docs[:_BATCH_SIZE])
    optimizer, loss = Adam(_LEARN_RATE), cloze.attrs["loss"]
    order = random.Random(seed)
    for epoch in range(1, epochs + 1):
        order.shuffle(docs)
        losses = [make_update(cloze, batch, optimizer, loss) for batch in minibatch(docs, size=_BATCH_SIZE)]
        if on_epoch:
            on_epoch(epoch, sum(losses) / max(1, len(losses)))
    return encoder.to_bytes()
