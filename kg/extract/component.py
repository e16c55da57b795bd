"""The spaCy component `ml_entities`: turns the trained tagger's spans (`doc.ents`, from the `ner`
component) and the rule layer's high-precision candidates (`ml_rule_votes`) into typed,
role-labelled ML entities in `doc.spans["ml_entities"]` (and `doc.ents`). Each span carries its
canonical entity id, the rule or model that found it, a confidence and exact evidence offsets as
`span._` attributes."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from spacy.attrs import IDX, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from kg.extract.intervals import Intervals
from kg.extract.keep_model import EntityView, KeepModel
from kg.extract.lexicon import LEXICON_DIR, Lexicon, load_lexicon
from kg.extract.recognizer import (
    APPOSITIVE_RULE,
    CONFIDENCE,
    DEFINITION_RULE,
    MODIFIER_SUFFIX,
    Candidate,
    EntityRecognizer,
    Recognition,
)
from kg.extract.role_model import PaperContext, RoleModel
from kg.extract.roles import RoleClassifier, is_survey
from kg.extract.shapes import is_fragment, is_generic, is_name_shaped, resource_head_type
from kg.extract.type_model import TypeModel
from kg.extract.vocabulary import NON_CONCEPT_WORDS
from kg.extract.votes import doc_text
from kg.extract.word_vectors import WordVectors
from kg.keys import entity_node_id, name_key
from kg.model import RESOURCE_TYPES, SYSTEM_TYPES

SPAN_ATTRIBUTES = ("entity_id", "canonical_name", "role", "rule", "confidence", "family", "char_offsets", "sentence")
for _attribute in SPAN_ATTRIBUTES:
    if not Span.has_extension(_attribute):
        Span.set_extension(_attribute, default=None)
if not Doc.has_extension("title_end"):
    Doc.set_extension("title_end", default=None)

ROLE_WEIGHTS = "roles.json"
TYPE_WEIGHTS = "types.json"
KEEP_WEIGHTS = "keep.json"
MODEL_RULE = "model"  # the rule name of a span only the trained tagger found
MODEL_CONFIDENCE = 0.75
_NAME_CHARACTER = re.compile(r"[A-Z0-9]")
# Inside a tagged span: a sentence break, a spaced dash, or a bracket the span does not close.
_SPAN_BREAK = re.compile(r"\.\s+(?=[A-Z])|\s+(?:--|—|–)\s+|[(\[](?![^)\]]*[)\]])")
# A mention ending in a compound-adjective suffix ("transformer-based").
_MODIFIER_END = re.compile(rf"(?:{MODIFIER_SUFFIX.pattern})$")
# Rule candidates kept where the tagger found nothing: well-known names, the paper's title names, the
# items of its typed enumerations ("datasets (Brightkite, Foursquare and Yelp)") and capitalised names
# after an article ("a Query Planner").
TRUSTED_RULES = frozenset({"lexicon", "variant", "title-name", "list", "named"})
# Entities only these rules found are not judged by the keep filter: the rule alone is that precise.
PRECISE_RULES = frozenset({"list"})
ALL_RULES = frozenset({*CONFIDENCE, "lexicon", "modifier", "acronym", "title-name"})


class MLEntities:
    """Merges the tagger's spans with the rule layer's, resolves each to a canonical entity and gives
    every entity one type and one role in the paper."""

    def __init__(self, recognizer: EntityRecognizer, spans_key: str = "ml_entities",
                 trusted_rules: frozenset[str] = TRUSTED_RULES, lexicon_types: bool = True,
                 set_ents: bool = True, precise_rules: frozenset[str] = PRECISE_RULES, tagged: bool = True) -> None:
        self.recognizer = recognizer
        self.lexicon_types = lexicon_types
        self.role_model: RoleModel | None = None  # trained by `kg train`, saved with the pipeline
        self.type_model: TypeModel | None = None  # likewise
        self.keep_model: KeepModel | None = None  # likewise: drops what the guideline would not annotate
        self.spans_key = spans_key
        self.trusted_rules = trusted_rules
        self.precise_rules = precise_rules
        self.tagged = tagged  # a trained tagger runs before this component
        self.set_ents = set_ents
        self._vectors: tuple[object, WordVectors | None] = (None, None)  # (the vocab's table, its lookup)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        title_end = doc._.title_end
        recognition: Recognition = doc._.rule_recognition or self.recognizer.recognize(text, title_end)
        mentions, hidden = self._mentions(doc, text, recognition)
        title = text[:title_end] if title_end else ""
        roles = RoleClassifier(text, self._sentences(doc, text, title_end), title_end,
                               is_survey(title, text[title_end or 0:]))
        trained = any(model is not None for model in (self.role_model, self.type_model, self.keep_model))
        judge = _Judge(self, text, title_end, roles, recognition,
                       PaperContext(text, title_end, self._word_vectors(doc)) if trained else None)
        entities = judge.entities(mentions)
        kept = Intervals()
        for mention in sorted((m for group, _, _ in entities for m in group), key=lambda m: m.start):
            if not kept.overlaps(mention.start, mention.end):
                kept.add(mention.start, mention.end)
        released = [c for c in hidden if not kept.overlaps(c.start, c.end)]
        if released:  # trusted names inside tagger spans the keep filter dropped ("GSM8K zero-shot")
            entities = judge.entities([m for group, _, _ in entities for m in group] + released)
        entities = _with_definitions(entities, recognition.candidates)
        spans = []
        for group, entity_type, role in entities:
            entity_id = entity_node_id(group[0].key)
            for mention in group:
                span = doc.char_span(mention.start, mention.end, label=entity_type, alignment_mode="expand")
                if span is None:
                    continue
                found = span._  # one accessor for all the attributes (each `span._` is a new object)
                found.entity_id = entity_id
                found.canonical_name = mention.name
                found.role = role
                found.rule = mention.rule
                found.confidence = mention.confidence
                found.family = entity_node_id(mention.family) if mention.family else None
                found.char_offsets = (mention.start, mention.end)
                sentence_start, sentence_end = roles.sentence_of(mention)
                found.sentence = text[sentence_start:sentence_end].strip()
                spans.append(span)
        doc.spans[self.spans_key] = spans
        if self.set_ents:
            doc.ents = filter_spans(spans)
        return doc

    def to_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> None:
        """The trained classifiers' weights, if any, as `roles.json`, `types.json` and `keep.json` in the
        component's folder."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        if self.role_model is not None:
            self.role_model.to_disk(path / ROLE_WEIGHTS)
        if self.type_model is not None:
            self.type_model.to_disk(path / TYPE_WEIGHTS)
        if self.keep_model is not None:
            self.keep_model.to_disk(path / KEEP_WEIGHTS)

    def from_disk(self, path: str | Path, exclude: Iterable[str] = ()) -> MLEntities:
        roles, types, keep = (Path(path) / name for name in (ROLE_WEIGHTS, TYPE_WEIGHTS, KEEP_WEIGHTS))
        self.role_model = RoleModel.from_disk(roles) if roles.exists() else None
        self.type_model = TypeModel.from_disk(types) if types.exists() else None
        self.keep_model = KeepModel.from_disk(keep) if keep.exists() else None
        return self

    def _word_vectors(self, doc: Doc) -> WordVectors | None:
        """The lookup over the vocabulary's static vectors (loaded with the pipeline, so read late)."""
        table, lookup = self._vectors
        if table is not doc.vocab.vectors:
            self._vectors = table, lookup = doc.vocab.vectors, WordVectors.of(doc.vocab.vectors)
        return lookup

    def _mentions(self, doc: Doc, text: str, recognition: Recognition) -> tuple[list[Candidate], list[Candidate]]:
        """The tagger's spans, resolved through the rule candidates and lexicons, plus trusted rule
        candidates where the tagger found nothing, less lower-case compound adjectives
        ("transformer-based"); and the trusted candidates a tagger span hides under descriptive words
        only ("GSM8K zero-shot", not "Claude Code")."""
        local = recognition.local
        by_offsets = {(c.start, c.end): c for c in recognition.candidates}
        mentions = []
        taken = Intervals()
        tagged = []
        for span in doc.ents:
            start, end, label = span.start_char, _trimmed_end(text, span.start_char, span.end_char), span.label_.lower()
            surface = text[start:end]
            if "\n" in surface or not surface:
                continue  # a span across the title's end or a line break names nothing
            rule_candidate = by_offsets.get((start, end))
            if rule_candidate is not None:
                if (rule_candidate.known or rule_candidate.family) and self.lexicon_types:
                    label = rule_candidate.type  # a known name, or a variant of one ("ViDoRe V2"): the lexicon's type
                mentions.append(Candidate(start, end, rule_candidate.text, rule_candidate.key, rule_candidate.name,
                                          label, f"{MODEL_RULE}+{rule_candidate.rule}",
                                          max(MODEL_CONFIDENCE, rule_candidate.confidence),
                                          rule_candidate.family, rule_candidate.known))
            elif name_key(surface) in recognition.measures:
                continue  # a measure the text defines, whatever a lexicon calls it ("attack success rate (ASR)")
            else:
                resolved = self._resolved(surface, start, end, label, local)
                if resolved.rule == MODEL_RULE and (is_generic(surface) or is_fragment(surface)):
                    continue  # a generic concept the rules never name either ("VLM", "reinforcement learning"),
                    # or a piece of a name ("2.5 Flash", "Med-")
                mentions.append(resolved)
            taken.add(start, end)
            tagged.append((start, end))
        hidden = []
        # Beside a tagger, a title name counts alone when name-shaped ("MAViS: ..."), not as a phrase
        # ("Principled Personas: ...").
        trusted = [c for c in recognition.candidates if c.rule in self.trusted_rules
                   and (c.rule != "title-name" or not self.tagged
                        or any(is_name_shaped(word) for word in c.name.split()))]
        if "list" in self.trusted_rules:  # enumerated items no trusted rule candidate covers
            ruled = Intervals()
            for candidate in trusted:
                ruled.add(candidate.start, candidate.end)
            trusted.extend(c for c in recognition.listed if not ruled.overlaps(c.start, c.end))
        if "named" in self.trusted_rules:  # capitalised names after an article ("a Query Planner")
            trusted.extend(recognition.named)
        for candidate in trusted:
            if not taken.overlaps(candidate.start, candidate.end):
                mentions.append(candidate)
            elif all(_describes(text, candidate, start, end) for start, end in tagged
                     if start < candidate.end and candidate.start < end):
                hidden.append(candidate)
        mentions = [m for m in mentions if not _describes_others(text, m.start, m.end)]
        return sorted(mentions, key=lambda m: m.start), hidden

    def _resolved(self, surface: str, start: int, end: int, label: str, local: Lexicon) -> Candidate:
        """A span only the tagger found: the entity a lexicon or the paper's own definitions name by
        that surface, else a new entity keyed by its spelling."""
        found = self.recognizer.lookup(surface, local)
        if found is not None:
            entry, rule = found
            if rule == "lexicon" and self.lexicon_types:
                label = entry.type
            return Candidate(start, end, surface, entry.key, entry.name, label, f"{MODEL_RULE}+{rule}",
                             MODEL_CONFIDENCE, family=name_key(entry.family) if entry.family else None,
                             known=rule == "lexicon")
        return Candidate(start, end, surface, name_key(surface), surface, label, MODEL_RULE, MODEL_CONFIDENCE)

    @staticmethod
    def _sentences(doc: Doc, text: str, title_end: int | None) -> list[tuple[int, int]]:
        """Sentence character ranges, as `doc.sents` gives them (the title is always a sentence of its
        own), read from the token arrays."""
        if not doc.has_annotation("SENT_START"):
            bounds = [(0, len(text))]  # no sentence boundaries in this pipeline
        else:
            columns = doc.to_array([IDX, LENGTH, SENT_START]).tolist() if len(doc) else []
            starts = [i for i, (_, _, sent_start) in enumerate(columns) if i == 0 or sent_start == 1]
            ends = [*starts[1:], len(columns)]
            bounds = [(columns[start][0], columns[end - 1][0] + columns[end - 1][1])
                      for start, end in zip(starts, ends, strict=False)]
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
    default_config={"spans_key": "ml_entities", "trusted_rules": sorted(TRUSTED_RULES), "lexicon_types": True,
                    "set_ents": True, "precise_rules": sorted(PRECISE_RULES)},
)
def create_ml_entities(nlp: Language, name: str, spans_key: str, trusted_rules: list[str], lexicon_types: bool,
                       set_ents: bool, precise_rules: list[str]) -> MLEntities:
    """spaCy factory: shares the rule layer of the pipeline's `ml_rule_votes` component (without one,
    it runs the rule layer itself). Without a trained tagger (`ner`) before it, every rule candidate
    counts: the rules-only extractor."""
    if "ml_rule_votes" in nlp.pipe_names:
        recognizer = nlp.get_pipe("ml_rule_votes").recognizer
    else:
        recognizer = EntityRecognizer(load_lexicon(LEXICON_DIR))
    tagged = "ner" in nlp.pipe_names
    return MLEntities(recognizer, spans_key=spans_key, trusted_rules=frozenset(trusted_rules) if tagged else ALL_RULES,
                      lexicon_types=lexicon_types, set_ents=set_ents, precise_rules=frozenset(precise_rules),
                      tagged=tagged)


def _trimmed_end(text: str, start: int, end: int) -> int:
    """A tagger span's end, cut before a sentence break, a spaced dash or an unclosed bracket inside it
    ("Policy Alignment(EPA", "Llama 3.1-8B. Llama-Krikri-8B", "EncMin2L -- an encoder-agnostic ..."), and
    before a hyphen ending it ("MISALIGNTRADE-" of "MISALIGNTRADE-based")."""
    cut = _SPAN_BREAK.search(text, start, end)
    return start + len(text[start:cut.start() if cut else end].rstrip(" ,;:-"))


def _describes_others(text: str, start: int, end: int) -> bool:
    """The lower-case mention start:end is a compound adjective ("transformer-based models",
    "instruction-tuned LLMs"): it describes other things, it does not name one the paper uses."""
    surface = text[start:end]
    return (surface == surface.lower()
            and bool(MODIFIER_SUFFIX.match(text, end) or _MODIFIER_END.search(surface)))


def _describes(text: str, candidate: Candidate, start: int, end: int) -> bool:
    """The tagger span start:end adds only lower-case words to the candidate it covers."""
    return not _NAME_CHARACTER.search(text[start:candidate.start] + text[candidate.end:end])


class _Judge:
    """One paper's entities from its mentions: grouped by canonical key, each group typed, given a role
    and kept or dropped by the component's classifiers (a group judged once, however often asked)."""

    def __init__(self, component: MLEntities, text: str, title_end: int | None, roles: RoleClassifier,
                 recognition: Recognition, context: PaperContext | None) -> None:
        self.component, self.text, self.title_end = component, text, title_end
        self.roles, self.context = roles, context
        self.title_names, self.title_types = recognition.title_names, recognition.title_types
        self.listed_types = recognition.listed_types
        self.verdicts: dict[tuple, tuple[str, str] | None] = {}

    def entities(self, mentions: list[Candidate]) -> list[tuple[list[Candidate], str, str]]:
        """(mentions, type, role) of every kept entity, in order of first mention."""
        by_key: dict[str, list[Candidate]] = defaultdict(list)
        for mention in sorted(mentions, key=lambda m: m.start):
            by_key[mention.key].append(mention)
        signatures = [tuple((m.start, m.end, m.rule, m.key) for m in group) for group in by_key.values()]
        unjudged = {signature: group for signature, group in zip(signatures, by_key.values())
                    if signature not in self.verdicts}
        self.verdicts.update(zip(unjudged, self._verdicts(list(unjudged.values()))))
        return [(group, *self.verdicts[signature]) for signature, group in zip(signatures, by_key.values())
                if self.verdicts[signature] is not None]

    def _verdicts(self, groups: list[list[Candidate]]) -> list[tuple[str, str] | None]:
        """Each group's type and role, or None when the keep filter drops it; each classifier scores all
        the groups at once."""
        component, context = self.component, self.context
        rule_roles = [self.roles.role(group, self.title_names) for group in groups]
        types = [Counter(m.type for m in group).most_common(1)[0][0] for group in groups]
        known = [any(m.known for m in group) for group in groups]
        offsets = [[(m.start, m.end) for m in group] for group in groups]
        precise = [all(m.rule in component.precise_rules for m in group) for group in groups]
        if component.type_model is not None:  # a name the lexicon knows, or a variant of one, keeps its type
            asked = [i for i, group in enumerate(groups)
                     if not known[i] and not any(m.family for m in group) and not precise[i]]
            predicted = component.type_model.predict_many(context, [(offsets[i], types[i]) for i in asked])
            for i, entity_type in zip(asked, predicted, strict=True):
                types[i] = entity_type
        for i, group in enumerate(groups):
            if not known[i]:
                types[i] = self._stated_type(group, types[i])
        roles = rule_roles
        if component.role_model is not None:  # the trained classifier reads the rules' answer as a feature
            roles = [role for role, _ in component.role_model.predict_many(
                self.text, self.title_end, list(zip(types, offsets, rule_roles, known)), context=context)]
        kept = [True] * len(groups)
        if component.keep_model is not None:
            asked = [i for i in range(len(groups)) if not precise[i] and not _named_by_text(groups[i], self.text)]
            views = [EntityView(groups[i][0].name, types[i], roles[i], [(m.start, m.end, m.rule) for m in groups[i]])
                     for i in asked]
            for i, keeps in zip(asked, component.keep_model.keeps_many(context, views), strict=True):
                kept[i] = keeps
        return [(entity_type, role) if keeps else None for entity_type, role, keeps in zip(types, roles, kept)]

    def _stated_type(self, group: list[Candidate], entity_type: str) -> str:
        """The type the paper states for an unknown name: "X: A Novel Dataset for ...", "X Benchmark", "the
        X and Y datasets", "models (X, Y)"; else `entity_type`."""
        entity_type = (self.title_types.get(group[0].key) or resource_head_type(group[0].name) or entity_type)
        listed = self.listed_types.get(group[0].key)
        if listed in SYSTEM_TYPES and entity_type in RESOURCE_TYPES \
                or listed in RESOURCE_TYPES and entity_type in SYSTEM_TYPES:
            return listed
        return entity_type


_CAPITAL_BEFORE = re.compile(r"([A-Z][\w-]*)[ -]$")


def _with_definitions(entities: list[tuple[list[Candidate], str, str]],
                      candidates: list[Candidate]) -> list[tuple[list[Candidate], str, str]]:
    """Each kept entity with both forms of the paper's definition of it ("Berkeley Segmentation Dataset
    (BSD)" where the tagger found the long form only): aliases the paper states, added after judging
    under the rule DEFINITION_RULE (the corpus pass matches no other paper by them)."""
    groups = {group[0].key: group for group, _, _ in entities}
    kept = Intervals()
    for mention in (m for group in groups.values() for m in group):
        kept.add(mention.start, mention.end)
    for candidate in candidates:
        group = groups.get(candidate.key)
        if candidate.rule == "acronym" and group is not None and not kept.overlaps(candidate.start, candidate.end):
            group.append(replace(candidate, rule=DEFINITION_RULE))
            kept.add(candidate.start, candidate.end)
    return [(sorted(group, key=lambda m: m.start), entity_type, role) for group, entity_type, role in entities]


def _named_by_text(group: list[Candidate], text: str) -> bool:
    """An entity the text itself says is a named thing, which the keep filter does not judge: a whole
    resource name ("Berkeley Segmentation Dataset") or a name an appositive types ("Anomalib, a library")."""
    return any(m.rule == APPOSITIVE_RULE for m in group) or _whole_resource_name(group, text)


def _whole_resource_name(group: list[Candidate], text: str) -> bool:
    """A name by its head noun, which the keep filter does not judge: capitalised words up to a capitalised
    resource head ("Berkeley Segmentation Dataset (BSD)"), after no capitalised word but a function word
    ("The"), and never written without its head ("the Salinas Dataset" beside "Salinas" is not, nor
    "Traffic Control Corpus" in "Air Traffic Control Corpus")."""
    name, start = group[0].name, min(m.start for m in group)
    words = name.split()
    if not (len(words) >= 2 and resource_head_type(name) is not None
            and all(w[:1].isupper() or w[:1].isdigit() for w in words)):
        return False
    before = _CAPITAL_BEFORE.search(text, 0, start)
    if before is not None and before.group(1).lower() not in NON_CONCEPT_WORDS:
        return False
    bare = re.escape(name.rsplit(None, 1)[0])
    return len(re.findall(rf"\b{bare}\b", text)) <= len(re.findall(rf"\b{re.escape(name)}\b", text))
