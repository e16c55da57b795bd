"""The spaCy component: `nlp.add_pipe("ml_entities")` puts typed, role-labelled ML entities into
`doc.spans["ml_entities"]` and `doc.ents`, each span carrying its canonical id, rule, confidence and
exact evidence offsets as `span._` attributes."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.extract.lexicon import LEXICON_DIR, Lexicon, LexiconEntry, load_lexicon
from kg.extract.recognizer import Candidate, EntityRecognizer
from kg.extract.roles import RoleClassifier, is_survey
from kg.keys import entity_node_id

SPAN_ATTRIBUTES = ("entity_id", "canonical_name", "role", "rule", "confidence", "family", "char_offsets", "sentence")
for _attribute in SPAN_ATTRIBUTES:
    if not Span.has_extension(_attribute):
        Span.set_extension(_attribute, default=None)
if not Doc.has_extension("title_end"):
    Doc.set_extension("title_end", default=None)  # chars of the title at the start of the text, if any


class MLEntityRecognizer:
    """Finds models, methods, datasets, benchmarks and tasks in a doc and labels each with a role."""

    def __init__(self, lexicon: Lexicon, spans_key: str = "ml_entities", min_confidence: float = 0.5,
                 set_ents: bool = True) -> None:
        self.recognizer = EntityRecognizer(lexicon)
        self.spans_key = spans_key
        self.min_confidence = min_confidence
        self.set_ents = set_ents

    def add_corpus_names(self, entries: list[LexiconEntry]) -> None:
        """Names discovered with high confidence elsewhere in the corpus: matched in every doc."""
        for entry in entries:
            self.recognizer.corpus_names.add(entry)

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        title_end = doc._.title_end
        recognition = self.recognizer.recognize(text, title_end)
        kept = [c for c in recognition.candidates if c.confidence >= self.min_confidence]
        by_key: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in kept:
            by_key[candidate.key].append(candidate)
        title = text[:title_end] if title_end else ""
        roles = RoleClassifier(text, self._sentences(doc, title_end), title_end,
                               is_survey(title, text[title_end or 0:]))
        spans = []
        for key, mentions in by_key.items():
            role = roles.role(mentions, recognition.title_names)
            for mention in mentions:
                span = doc.char_span(mention.start, mention.end, label=mention.type, alignment_mode="expand")
                if span is None:
                    continue
                span._.entity_id = entity_node_id(key)
                span._.canonical_name = mention.name
                span._.role = role
                span._.rule = mention.rule
                span._.confidence = mention.confidence
                span._.family = entity_node_id(mention.family) if mention.family else None
                span._.char_offsets = (mention.start, mention.end)
                sentence_start, sentence_end = roles.sentence_of(mention)
                span._.sentence = text[sentence_start:sentence_end].strip()
                spans.append(span)
        doc.spans[self.spans_key] = spans
        if self.set_ents:
            doc.ents = filter_spans(spans)
        return doc

    @staticmethod
    def _sentences(doc: Doc, title_end: int | None) -> list[tuple[int, int]]:
        """Sentence character ranges (the title is always a sentence of its own)."""
        try:
            bounds = [(s.start_char, s.end_char) for s in doc.sents]
        except ValueError:  # no sentence boundaries in this pipeline
            bounds = [(0, len(doc.text))]
        if title_end:
            split = []
            for start, end in bounds:
                if start < title_end < end:
                    split.extend([(start, title_end), (title_end, end)])
                else:
                    split.append((start, end))
            bounds = split
        return bounds


@Language.factory(
    "ml_entities",
    default_config={"lexicon_dir": None, "spans_key": "ml_entities", "min_confidence": 0.5, "set_ents": True},
)
def create_ml_entity_recognizer(nlp: Language, name: str, lexicon_dir: str | None, spans_key: str,
                                min_confidence: float, set_ents: bool) -> MLEntityRecognizer:
    """spaCy factory: the lexicon is read from `lexicon_dir` (default: the committed lexicon)."""
    lexicon = load_lexicon(Path(lexicon_dir) if lexicon_dir else LEXICON_DIR)
    return MLEntityRecognizer(lexicon, spans_key=spans_key, min_confidence=min_confidence, set_ents=set_ents)
