"""Extract stage: Papers -> PaperEntities with a spaCy pipeline, two passes over the corpus.

Pass one finds the names papers introduce themselves (title names, acronym definitions); pass two
matches those names in every paper too (corpus-wide propagation). Each entity then gets one type
and one canonical name across the corpus.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

import kg.extract.component  # noqa: F401  (registers the "ml_entities" factory)
from kg.extract.acronyms import is_short_form
from kg.extract.lexicon import LexiconEntry
from kg.extract.recognizer import similar_phrases
from kg.model import EntityRef, Mention, Paper, PaperEntities

COMPONENT = "ml_entities"
TITLE_SEPARATOR = "\n\n"
# Rules whose names are trusted enough to be matched in every other paper of the corpus.
PROPAGATED_RULES = frozenset({"title-name", "acronym"})
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "approx.", "resp.", "al.")


def _tokenizer(nlp: Language) -> Tokenizer:
    """English tokenization that also splits at every hyphen and slash, so names align with tokens."""
    defaults = nlp.Defaults
    infixes = [*defaults.infixes, r"[-–—/]"]
    rules = dict(defaults.tokenizer_exceptions)
    for abbreviation in _ABBREVIATIONS:
        rules[abbreviation] = [{"ORTH": abbreviation}]
    return Tokenizer(nlp.vocab, rules=rules,
                     prefix_search=compile_prefix_regex(defaults.prefixes).search,
                     suffix_search=compile_suffix_regex(defaults.suffixes).search,
                     infix_finditer=compile_infix_regex(infixes).finditer,
                     token_match=defaults.token_match, url_match=defaults.url_match)


def build_nlp(min_confidence: float = 0.5, lexicon_dir: str | None = None) -> Language:
    """A blank English pipeline: fine-grained tokenizer, sentencizer, then the ml_entities component."""
    nlp = spacy.blank("en")
    nlp.tokenizer = _tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe(COMPONENT, config={"min_confidence": min_confidence, "lexicon_dir": lexicon_dir})
    return nlp


def paper_doc(nlp: Language, paper: Paper) -> Doc:
    """The paper as one doc: title, a blank line, abstract; `doc._.title_end` marks the title."""
    doc = nlp.make_doc(paper.title + TITLE_SEPARATOR + paper.abstract)
    doc._.title_end = len(paper.title)
    return doc


def _docs(nlp: Language, papers: list[Paper]) -> Iterator[Doc]:
    return nlp.pipe(paper_doc(nlp, paper) for paper in papers)


def doc_entities(doc: Doc, paper: Paper, spans_key: str = COMPONENT) -> list[EntityRef]:
    """Group a doc's entity spans into one EntityRef per canonical entity, offsets made per field."""
    title_end = len(paper.title)
    abstract_start = title_end + len(TITLE_SEPARATOR)
    refs: dict[str, EntityRef] = {}
    for span in doc.spans[spans_key]:
        start, end = span._.char_offsets
        field, base = ("title", 0) if start < title_end else ("abstract", abstract_start)
        mention = Mention(text=doc.text[start:end], field=field, start=start - base, end=end - base,
                          sentence=span._.sentence, rule=span._.rule, confidence=span._.confidence)
        ref = refs.get(span._.entity_id)
        if ref is None:
            ref = refs[span._.entity_id] = EntityRef(
                id=span._.entity_id, name=span._.canonical_name, type=span.label_, role=span._.role,
                confidence=span._.confidence, family=span._.family)
        ref.mentions.append(mention)
        ref.confidence = max(ref.confidence, mention.confidence)
    for ref in refs.values():
        ref.aliases = sorted({m.text for m in ref.mentions})
    return list(refs.values())


def corpus_names(docs: Iterable[Doc], spans_key: str = COMPONENT) -> list[LexiconEntry]:
    """Names that papers introduce (title names, acronym definitions), one entry per entity.

    Long forms defined with the same acronym and spelled alike across papers become one entry.
    """
    types: dict[str, Counter] = defaultdict(Counter)
    surfaces: dict[str, Counter] = defaultdict(Counter)
    names: dict[str, Counter] = defaultdict(Counter)
    for doc in docs:
        for span in doc.spans[spans_key]:
            if span._.rule in PROPAGATED_RULES:
                start, end = span._.char_offsets
                types[span._.entity_id][span.label_] += 1
                surfaces[span._.entity_id][doc.text[start:end]] += 1
                names[span._.entity_id][span._.canonical_name] += 1
    merged_into = _merge_same_acronym(names, surfaces)
    entries: dict[str, LexiconEntry] = {}
    for entity_id in types:
        target = merged_into.get(entity_id, entity_id)
        entry = entries.setdefault(target, LexiconEntry(
            name=names[target].most_common(1)[0][0], type=types[target].most_common(1)[0][0],
            source="corpus", confidence=0.8))
        forms = set(surfaces[entity_id]) | set(names[entity_id])
        # A multi-word concept defined in Title Case is also written in lower case elsewhere.
        forms |= {form.lower() for form in forms if " " in form}
        entry.aliases = sorted(set(entry.aliases) | forms)
    return list(entries.values())


def _merge_same_acronym(names: dict[str, Counter], surfaces: dict[str, Counter]) -> dict[str, str]:
    """entity id -> id of the more frequent entity with the same acronym and a similar long form."""
    by_acronym: dict[str, list[str]] = defaultdict(list)
    for entity_id, forms in surfaces.items():
        for form in forms:
            if is_short_form(form) and form not in names[entity_id]:
                by_acronym[form].append(entity_id)
    merged: dict[str, str] = {}
    for ids in by_acronym.values():
        ids = sorted(set(ids), key=lambda i: (-sum(surfaces[i].values()), i))
        for i, entity_id in enumerate(ids):
            for target in ids[:i]:
                if target not in merged and similar_phrases(names[entity_id].most_common(1)[0][0],
                                                            names[target].most_common(1)[0][0]):
                    merged[entity_id] = target
                    break
    return merged


def harmonise(corpus: list[PaperEntities]) -> None:
    """One type and one canonical name per entity id across the corpus (majority, confidence-weighted)."""
    type_votes: dict[str, Counter] = defaultdict(Counter)
    name_votes: dict[str, Counter] = defaultdict(Counter)
    for item in corpus:
        for ref in item.entities:
            type_votes[ref.id][ref.type] += ref.confidence
            name_votes[ref.id][ref.name] += ref.confidence
    for item in corpus:
        for ref in item.entities:
            ref.type = type_votes[ref.id].most_common(1)[0][0]
            ref.name = name_votes[ref.id].most_common(1)[0][0]


def extract_papers(papers: list[Paper], nlp: Language | None = None,
                   on_paper: Callable[[], None] | None = None) -> list[PaperEntities]:
    """Run the extractor over a corpus (two passes, see the module docstring)."""
    nlp = nlp or build_nlp()
    component = nlp.get_pipe(COMPONENT)
    component.add_corpus_names(corpus_names(_docs(nlp, papers)))
    corpus = []
    for paper, doc in zip(papers, _docs(nlp, papers)):
        corpus.append(PaperEntities(paper, doc_entities(doc, paper)))
        if on_paper:
            on_paper()
    harmonise(corpus)
    return corpus
