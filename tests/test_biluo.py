"""The BILUO tagger's decoding: tag sequences, including ones a per-token choice can produce, to spans."""

from __future__ import annotations

import pytest
import spacy

from kg.extract.biluo import decode

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
