"""Static word vectors learned from unlabelled abstracts (word2vec), so the tagger knows words that no
annotated paper contains: "a corpus of", "fine-tuned on", names that look like names."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy
from spacy.language import Language
from spacy.vectors import Vectors

VECTOR_WIDTH = 64
MAX_WORDS = 60_000
MIN_COUNT = 5


def corpus_texts(path: Path, limit: int | None = None) -> Iterator[str]:
    """Title and abstract of each record of a (gzip) JSON lines corpus."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for count, line in enumerate(handle):
            if limit is not None and count >= limit:
                return
            record = json.loads(line)
            yield f"{record.get('title', '')}\n\n{record.get('abstract', '')}"


def _stable_hash(text: str) -> int:
    """word2vec seeds each word's initial vector from a hash; Python's own is salted per process."""
    return zlib.crc32(text.encode("utf-8"))


def train_vectors(nlp: Language, corpus: Path, limit: int | None = None, seed: int = 13,
                  epochs: int = 3) -> Vectors:
    """word2vec (CBOW; one worker thread, so the result is deterministic) over the corpus, tokenized by
    the pipeline's own tokenizer: a table of the most frequent words' vectors, keyed by their spelling."""
    from gensim.models import Word2Vec

    sentences = [[token.text for token in doc if not token.is_space]
                 for doc in nlp.tokenizer.pipe(corpus_texts(corpus, limit), batch_size=256)]
    model = Word2Vec(sentences, vector_size=VECTOR_WIDTH, window=5, min_count=MIN_COUNT, sg=0, workers=1,
                     seed=seed, epochs=epochs, max_final_vocab=MAX_WORDS, hashfxn=_stable_hash)
    words = model.wv.index_to_key[:MAX_WORDS]
    table = numpy.asarray([model.wv[word] for word in words], dtype="float32")
    vectors = Vectors(strings=nlp.vocab.strings, shape=table.shape)
    for row, (word, vector) in enumerate(zip(words, table, strict=True)):
        vectors.add(word, vector=vector, row=row)
    return vectors
