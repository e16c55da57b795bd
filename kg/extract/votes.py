"""The rule layer as features: `ml_rule_votes` runs the lexicon and rules over a doc, keeps their
candidates for the entity component, and writes each token's vote (rule, type, begin/inside, title)
into `token.tag_`, which the trained tagger embeds next to the word's own features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from spacy.attrs import IDX, TAG
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.lexicon import LEXICON_DIR, load_lexicon
from kg.extract.recognizer import EntityRecognizer, Recognition

if not Doc.has_extension("title_end"):
    Doc.set_extension("title_end", default=None)  # chars of the title at the start of the text, if any
if not Doc.has_extension("rule_recognition"):
    Doc.set_extension("rule_recognition", default=None)
if not Doc.has_extension("text"):
    Doc.set_extension("text", default=None)  # doc.text, kept by doc_text

NO_VOTE = "O"


def doc_text(doc: Doc) -> str:
    """doc.text, which spaCy rebuilds from the tokens on every read: built once per doc, then kept."""
    text = doc._.text
    if text is None:
        text = doc._.text = doc.text
    return text


def vote_tags(doc: Doc, recognition: Recognition) -> list[str]:
    """One tag per token: `[T]B-rule-type` / `[T]I-rule-type` inside a rule candidate, else `[T]O`
    (T marks title tokens, whose capitals mean less)."""
    tags = [NO_VOTE] * len(doc)
    for candidate in recognition.candidates:
        span = doc.char_span(candidate.start, candidate.end, alignment_mode="expand")
        if span is None:
            continue
        begin, inside = f"B-{candidate.rule}-{candidate.type}", f"I-{candidate.rule}-{candidate.type}"
        for i in range(span.start, span.end):
            tags[i] = inside if i > span.start else begin
    title_tokens = int(np.searchsorted(doc.to_array(IDX), doc._.title_end or 0))  # token starts below title_end
    return [*(f"T{tag}" for tag in tags[:title_tokens]), *tags[title_tokens:]]


class RuleVotes:
    """Runs the rule recognizer; its candidates go to `doc._.rule_recognition`, its votes to tags."""

    def __init__(self, recognizer: EntityRecognizer) -> None:
        self.recognizer = recognizer

    def __call__(self, doc: Doc) -> Doc:
        recognition = self.recognizer.recognize(doc_text(doc), doc._.title_end)
        doc._.rule_recognition = recognition
        if len(doc):
            strings = doc.vocab.strings
            doc.from_array([TAG], np.array([strings.add(tag) for tag in vote_tags(doc, recognition)], dtype=np.uint64))
        return doc


@Language.factory("ml_rule_votes", default_config={"lexicon_dir": None})
def create_rule_votes(nlp: Language, name: str, lexicon_dir: str | None) -> RuleVotes:
    """spaCy factory: the lexicon is read from `lexicon_dir` (default: the committed lexicon)."""
    return RuleVotes(EntityRecognizer(load_lexicon(Path(lexicon_dir) if lexicon_dir else LEXICON_DIR)))
