"""Finding entity mentions in one text: lexicon names, acronym definitions, title names and
name-shaped tokens, each typed, with the rule that found it and a confidence."""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kg.extract.acronyms import AcronymDefinition, find_acronyms
from kg.extract.enumerations import coordinated_names, enumerated_names
from kg.extract.intervals import Intervals
from kg.extract.lexicon import LOOKUP_MEMORY, Lexicon, LexiconEntry, common_words
from kg.extract.shapes import (
    WORD,
    edge_type,
    head_type,
    is_generic,
    is_name_shaped,
    is_plural_acronym,
    resource_head_type,
    shape_type,
    size_list_family,
    split_variant,
    strip_compound_suffix,
)
from kg.extract.vocabulary import (
    ARCHITECTURE_NOUNS,
    CONCEPT_HEADS,
    CONTAINER_HEADS,
    INSTITUTION_HEADS,
    MEASURE_AND_RESULT_HEADS,
    METHOD_HEAD_WORDS,
    METRIC_HEADS,
    MODEL_CLASS_MODIFIERS,
    NON_CONCEPT_WORDS,
    NON_ENTITY_HEADS,
    PHENOMENON_HEADS,
    TASK_HEAD_WORDS,
    TITLE_OPENERS,
    TYPE_HEADS,
)
from kg.keys import name_key
from kg.model import RESOURCE_TYPES

_TITLE_NAME = re.compile(r"^\s*(?P<name>[^:?!.]{1,60}?)\s*:\s+(?P<rest>\S.*)$")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|io|net|ai)/\S*", re.IGNORECASE)
# What every link _URL finds contains: most texts have none, and this is much quicker to rule out.
_URL_MARK = re.compile(r"://|www\.|\.(?:com|org|io|net|ai)/", re.IGNORECASE)
_SPACED_SIZE = re.compile(r"^(?:\d+(?:\.\d+)?[BMK]|\d+\.\d+|v\d+(?:\.\d+)*|\d+x\d+B)$")
# A version after a benchmark's or dataset's name ("ViDoRe V2", "PASCAL VOC 2012", "SQuAD 2.0"): its own entity.
_SPACED_VERSION = re.compile(r"^(?:[vV]\d+(?:\.\d+)*|[1-9]\.\d|(?:19|20)\d\d)$")  # not a score: "SVHN 0.96"
# Words and marks that end a noun phrase: prepositions, relative pronouns, verbs, punctuation.
_PHRASE_ENDERS = (r"for|with|via|in|of|to|on|using|from|by|through|that|which|where|who|as|at|based|during|under|"
                  r"over|into|than|is|are|can|towards?|beyond|without|enables?|allows?|improves?|makes?")
# Where a noun phrase ends ("a token chain prompting mechanism | during ..."); coordinated phrases
# ("tree pruning and tree fusion") are kept together and split by the caller.
_PHRASE_END = re.compile(rf"\s*[,;:!?\"“”]|\s+(?:{_PHRASE_ENDERS})\b", re.IGNORECASE)
# Where the first noun phrase of a title or subtitle ends: also at "and" ("X and Y: ...").
_FIRST_PHRASE = re.compile(rf"\s*[,;:!?\"“”]|\s+(?:and|{_PHRASE_ENDERS})\b", re.IGNORECASE)
# A subtitle saying its title name is a benchmark: "V-FAT: Benchmarking Visual Fidelity ..." (not
# "Social Gym and SPaRTan: Benchmarking and Improving ...", which also names a method).
_BENCHMARKING = re.compile(r"\s*benchmarking\s+(?!and\b|or\b)", re.IGNORECASE)
# Words between a head noun and the name it introduces ("a dataset, called X").
_INTRODUCER = re.compile(r"(?:[\s,:(]|\b(?:called|named|dubbed|termed|namely|the|our|new|novel)\b)+$", re.IGNORECASE)
_TITLE_ARTICLE = re.compile(r"(?:^|\s)[Aa]n?\s+(?P<phrase>[A-Z].*)$")
_TITLE_OPENING = re.compile(r"(?P<phrase>[A-Z].*)$")
# The words right after a name, up to the first punctuation ("X dataset", but not "X: Dynamic Model ...").
_ADJACENT = re.compile(r"[^,.;:!?()\[\]\"\n]{0,40}")
# The words before a name back to the start of its clause (not across a sentence end or a bracket).
_SAME_CLAUSE = re.compile(r"[^.;!?)\]\n]*$")
# A name listed in brackets after its head noun: "encoder-decoder models (T5, SciFive, and BART)".
_BRACKETED_LIST = re.compile(r"(?P<head>[^(]*)\((?:[^(),]+,\s*)*(?:and\s+|or\s+)?$")
# "X, an encoder-free vision-language model that ...": the description set beside a name.
_APPOSITIVE = re.compile(r"\s*(?:\([^()]{1,80}\)\s*)?,\s+(?:a|an|the|our)\s+(?P<phrase>[^,.;:()]{1,100})", re.IGNORECASE)
# A technique introduced as the means of doing something: "merged by parameter averaging".
_INSTRUMENT = re.compile(r"\b(?:via|using|by|through|with|employs?|adopts?|applies|apply|leverages?|introduces?|"
                         r"proposes?)\s+(?:(?:a|an|the|our|its|their|standard|simple)\s+)?$", re.IGNORECASE)
# A lower-case term of two to four words set in quotes: authors quote the terms they coin.
_QUOTED = re.compile(r"[\"“`‘](?P<term>[a-z][a-z0-9-]*(?: [a-z0-9][a-z0-9-]*){1,3})[,.]?[\"”’']")
# The word right after a bracketed short form: "Key-Value (KV) cache" -> "cache".
_NEXT_WORD = re.compile(r"\)\s+([A-Za-z][\w-]*)")
# "we present X" / "we use X": the paper's own subject and verb right before a name.
_WE_VERB = re.compile(r"\bwe\s+(?:also\s+)?(?:propose|present|introduce|release|use|employ|adopt|apply|"
                      r"leverage)s?\s+$", re.IGNORECASE)
# A capitalised name of two or more words after an article or a count, inside the abstract ("two
# components: a Target Preference Weigher ... and a Synergy Alignment Task", "the Pattern Matrix Method").
_CAPITALISED = r"[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"
_NAMED_PHRASE = re.compile(rf"(?<![\w-])(?:[Aa]n?|[Tt]he|[Oo]ur|two|three|novel|new)\s+"
                           rf"(?P<name>{_CAPITALISED}(?:\s+(?:(?:of|for|with|to)\s+)?{_CAPITALISED}){{1,6}})(?![\w-])")
# One capitalised word between "the" and a resource head noun: "the Yelp dataset", "the HRS benchmark".
_HEADED_NAME = re.compile(r"(?<![\w-])the\s+(?P<name>[A-Z][\w-]*[A-Za-z0-9])\s+(?P<head>dataset|benchmark|corpus|treebank)"
                          r"(?![\w-])")
# "Anomalib, a deep-learning library for ...", "Ranking Companion, a visual analytics approach": capitalised
# words before ", a ... <type head>" (one to five words between) name a thing of the head's type.
_APPOSITIVE_NAME = re.compile(
    r"(?<![\w-])(?P<name>(?:[A-Z0-9][\w.+-]*|[a-z][a-z0-9]*[A-Z][\w.+-]*)[\w+](?: [A-Z][\w.+-]*[\w+]){0,3}), (?:a|an) "
    r"(?:(?!(?:where|which|that|who|of|for|with|in|on|to|from|by)\b)[\w-]+ ){0,5}?"
    r"(?P<head>" + "|".join(sorted((h for h, t in TYPE_HEADS.items() if " " not in h and not h.endswith("s")
                                    and t != "task"), key=len, reverse=True)) + r")\b")
# The end of a longer name an appositive's capitalised words may close: "Code Abstraction and | Reasoning Challenge".
_NAME_CONTINUED = re.compile(r"[A-Z][\w-]*\s+(?:and|of|for|with|in|on|the|to|&)\s+$")
_SIZE_LIKE = re.compile(r"\d+(?:\.\d+)?[A-Za-z]{0,2}$")  # "111B", "7b"
_LANGUAGE_SHAPED = re.compile(r"[A-Z][a-z]+(?:ish|ese|ian)")  # "the Finnish dataset", "the Chinese corpus"
# A compound adjective made of a name: "transformer-based models", "instruction-tuned LLMs".
MODIFIER_SUFFIX = re.compile(r"-(?:based|tuned)\b")
_NOT_NAMED_HEADS = NON_ENTITY_HEADS | PHENOMENON_HEADS | INSTITUTION_HEADS | MEASURE_AND_RESULT_HEADS
_NAMED_AFTER = re.compile(r"\s*,?\s*(?:named|called|dubbed|termed|coined)\b", re.IGNORECASE)
_NAME_LIST = re.compile(r"\s*(?:,|&|\band\b)\s*")
_GAP = re.compile(r"^ ?$")
_UNSEEN = object()
# The plural ending of a lower-case word inside a longer name: "k-nearest-neighbors language model".
_INNER_PLURAL = re.compile(r"(?<=[a-z]{3}[a-hj-rt-z])s$")  # not "corpus", "analysis", "class"
# "we propose X" / "this paper introduces X": the phrase after the verb names the paper's contribution.
# "we ... to introduce X" too: the subject may stand a few words before the verb, within the clause.
_PROPOSAL = re.compile(r"\b(?:we|this (?:paper|work|study))\s+(?:[\w-]+\s+){0,8}?"
                       r"(?:propose|introduce|present|develop|devise|design)s?\s+(?P<object>[^.;:()!?]+)",
                       re.IGNORECASE)


class _Words:
    """The words of a text (shapes.WORD), as parallel lists of start and end offsets and strings."""

    def __init__(self, text: str) -> None:
        matches = list(WORD.finditer(text))
        self.starts = [m.start() for m in matches]
        self.ends = [m.end() for m in matches]
        self.tokens = [m.group() for m in matches]


@lru_cache(maxsize=1 << 16)
def _spellings(word: str) -> tuple[str, str, str]:
    """A word's key, the word without an inner plural ending, and that form's key."""
    singular = _INNER_PLURAL.sub("", word)
    return name_key(word), singular, name_key(singular)


# Rules that find proper names (typed by the head nouns around them, "the X benchmark").
CONTEXT_TYPED_RULES = frozenset({"shape", "title-name", "acronym"})
# The rule of a form of a paper's own definition ("Berkeley Segmentation Dataset (BSD)") given to an entity
# after judging: an alias of it in this paper, by which the corpus pass matches no other paper.
DEFINITION_RULE = "definition"
# The rule of a name an appositive types ("Anomalib, a deep-learning library"): the keep filter does not
# judge it.
APPOSITIVE_RULE = "appositive"
CONFIDENCE = {
    APPOSITIVE_RULE: 0.7,
    "title-name": 0.9,
    "acronym": 0.85,
    "variant": 0.8,
    "shape": 0.5,
    "concept": 0.5,
    "proposal": 0.6,
    "quoted": 0.5,
    "list": 0.8,
    "named": 0.6,
}
# Up to three lower-case words before a head word ("learned sparse retrieval").
_CONCEPT = re.compile(r"\b(?:[a-z][a-z0-9]*(?:-[a-z0-9]+)*\s){1,3}[a-z]+(?:-[a-z]+)*\b")


@dataclass
class Candidate:
    """One mention found in the text, resolved to a canonical entity key."""

    start: int
    end: int
    text: str
    key: str
    name: str
    type: str
    rule: str
    confidence: float
    family: str | None = None
    known: bool = False  # the entity is in the lexicon (not discovered in this corpus)


@dataclass
class Recognition:
    """Every mention in a text, the keys the text itself names as its own (title names), and the
    names it defines (acronyms, title names) as a lexicon of this text alone."""

    candidates: list[Candidate]
    title_names: set[str]
    local: Lexicon
    listed: list[Candidate] = field(default_factory=list)  # items of typed enumerations; cast no vote
    # Title names whose type the title states: their own head noun or "X: A ... Dataset for ..."
    title_types: dict[str, str] = field(default_factory=dict)
    named: list[Candidate] = field(default_factory=list)  # capitalised names after an article; cast no vote
    # Names a list types by its head noun: "datasets (A, B and C)", "the A and B benchmarks"
    listed_types: dict[str, str] = field(default_factory=dict)
    # Keys of the measures the text defines ("Click-Through Rate (CTR)"): no entity, whatever a lexicon says
    measures: set[str] = field(default_factory=set)


# What follows a technique that only describes: "-based", or "data" ending its noun phrase.
_DESCRIBING = re.compile(r"(?:-|\s)based\b|\s+data(?:\s*[,.;:)]|\s+(?:for|from|to|of|in|on|and|or|with|that|"
                         r"which|is|are|was|were|has|have)\b|\s*$)", re.IGNORECASE)


def is_architecture_descriptor(surface: str, entity_type: str, following: str) -> bool:
    """'transformer-based', 'instruction tuning data': a method written in lower case only to describe a
    class of systems or of data, not used or proposed as such ('BERT-based' and 'Transformer-based' still
    name what is used)."""
    return entity_type == "method" and surface.islower() and _DESCRIBING.match(following) is not None


def _recased(word: str, entry: LexiconEntry) -> bool:
    """'Zero' for 'ZeRO': a capitalised word where the name is only ever written with inner capitals."""
    same = entry.spellings(word)
    return word[1:].islower() and word not in same and not any(s.isupper() or s[1:].islower() for s in same)


def is_verb_use(surface: str, following: str) -> bool:
    """'pruning visual tokens': a one-word technique in -ing used as a verb on an object, not named."""
    word = following.strip()
    return (surface.islower() and surface.endswith("ing") and " " not in surface and following[:1] == " "
            and word.isalpha() and word.islower() and not word.endswith("s")  # "pruning reduces cost"
            and word not in NON_CONCEPT_WORDS and word not in TYPE_HEADS)


def phrase_type(phrase: str, fallback: str = "method") -> str:
    """Type of a multi-word concept from its head noun: '... Recognition' -> task, '... Benchmark'."""
    words = phrase.replace("-", " ").split()
    announced = edge_type(words, at_end=True)
    if announced:
        return announced
    last = words[-1].lower() if words else ""
    if last in TASK_HEAD_WORDS:
        return "task"
    if last in METHOD_HEAD_WORDS:
        return "method"
    return fallback


def is_title_name(words: list[str]) -> bool:
    """'X' of a title 'X: subtitle' names the paper's contribution: a name-shaped word in at most three
    words, or up to four capitalised words that are not a generic concept or a sentence opener."""
    if not words or len(words) > 4 or is_generic(" ".join(words)):
        return False
    if len(words) == 1 and words[0][1:].islower() and words[0].lower() in common_words():
        return False  # "Service, Solidarity, and Self-Help: ..." names topics, not contributions
    if len(words) <= 3 and any(is_name_shaped(w) for w in words):
        return True
    return (words[0].lower() not in TITLE_OPENERS and not words[0].lower().endswith("ing")
            and all(w[0].isupper() or w[0].isdigit() for w in words))


def _is_appositive_name(text: str, start: int, name: str, title_end: int) -> bool:
    """Whether the capitalised words `name` at `start`, before ", a ... <type head>", are a name: not a
    sentence adverb or a lone common word at a sentence's start ("However, a ...", "Here, a ..."), a
    generic concept ("LLM, a ..."), a number or size ("0.5, a ..."), a plural class ("LLM Agents, a ...")
    or the end of a longer name ("Code Abstraction and | Reasoning Challenge")."""
    words = name.split()
    first, last = words[0], words[-1]
    sentence_start = not re.search(r"[a-z,(]\s*$", text[max(title_end, start - 3):start])
    common_first = first.lower() in common_words() and not is_name_shaped(first)
    return not (_NAME_CONTINUED.search(text, max(0, start - 40), start)
                or common_first and (len(words) == 1 or sentence_start)
                or sentence_start and not is_name_shaped(name.replace(" ", "-"))
                or last.lower() in _NOT_NAMED_HEADS or is_generic(name) or is_generic(last)
                or not re.search(r"[A-Za-z]{2}", first) or _SIZE_LIKE.match(first)
                or last.endswith("s") and not is_name_shaped(last))


def _is_mixed_case(short: str) -> bool:
    """A short form no other name is likely to share: five or more letters in mixed case ("XGBoost",
    "RoBERTa", not "ReRe"), so a known name the lexicon spells no long form for is the one a text spells
    out ("eXtreme Gradient Boosting (XGBoost)")."""
    return len(short) >= 5 and sum(c.islower() for c in short) >= 2 and any(c.isupper() for c in short[1:])


_KINDS = (frozenset({"model", "method"}), RESOURCE_TYPES, frozenset({"task"}))  # types a head noun tells apart


def _same_kind(stated: str, known: str) -> bool:
    """A long form's head noun (`stated`, "" for none) does not contradict a known name's type: "Criss-Cross
    Attention Network (CCNet)" is not the CCNet corpus, nor "financial question answering (FinQA)" the FinQA
    benchmark."""
    return not stated or any(stated in kind and known in kind for kind in _KINDS)


def similar_phrases(a: str, b: str, threshold: float = 0.8) -> bool:
    """Two spellings of one long form ('low-rank adaption' ~ 'Low-Rank Adaptation')."""
    def norm(text: str) -> str:
        return " ".join(text.casefold().replace("-", " ").split())
    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio() >= threshold


def _names_non_entity(text: str, candidate: Candidate) -> bool:
    """A new name heading hardware or an organisation: 'SpiNNaker 2 Neuromorphic Chip'."""
    if candidate.known or candidate.rule not in CONTEXT_TYPED_RULES:
        return False
    following = []
    for word in WORD.findall(_ADJACENT.match(text, candidate.end).group())[:4]:
        following.append(word)
        if not (word[0].isupper() or word[0].isdigit()):
            break
    return any(word.lower() in NON_ENTITY_HEADS for word in following)


_LAST_WORD = re.compile(r"(?P<word>[A-Za-z][\w-]*)\s+$")
# The word right after a name on the same line, past a closing quote ('the "free lunch" hypothesis').
_FOLLOWING_WORD = re.compile(r"[\"”’']?[ \t]+(?P<word>[A-Za-z][\w-]*)")


def _following_word(text: str, end: int) -> str:
    """The lower-cased word right after position `end` on the same line, or ''."""
    match = _FOLLOWING_WORD.match(text, end)
    return match.group("word").lower() if match else ""


def _names_model_class(text: str, candidate: Candidate, title_end: int) -> bool:
    """'pretrained transformers', 'decoder-only transformers, ...': the plural architecture noun names a
    class of models, not the architecture (which 'pretrained transformer encoders' still names)."""
    in_title = candidate.start < title_end
    if candidate.text.lower() not in ARCHITECTURE_NOUNS or not (candidate.text.islower() or in_title):
        return False
    before = _LAST_WORD.search(text, max(0, candidate.start - 40), candidate.start)
    if before is None or before.group("word").lower() not in MODEL_CLASS_MODIFIERS:
        return False
    return _following_word(text, candidate.end) in NON_CONCEPT_WORDS | {""}


def _names_phenomenon(text: str, candidate: Candidate) -> bool:
    """A new name for a phenomenon or claim: 'State Collapse (SC)', a quoted term before its head noun
    (the "free lunch" hypothesis)."""
    if candidate.known:
        return False
    heads = [candidate.text.split()[-1].lower()]
    if candidate.rule == "quoted":
        heads.append(_following_word(text, candidate.end))
    return any(head in PHENOMENON_HEADS for head in heads)


_MODIFIER = re.compile(r"(?<![\w-])(?P<word>[a-z][a-z0-9]*(?:-[a-zA-Z0-9]+)*) $")


def _with_modifier(text: str, candidate: Candidate) -> Candidate:
    """A known lower-case technique qualified by one more word where the paper applies it ("using an
    iterative pseudo-labeling scheme"): that more specific technique, a variant of the known one."""
    if candidate.type != "method" or not candidate.text[:1].islower() or candidate.rule != "lexicon":
        return candidate
    match = _MODIFIER.search(text, max(0, candidate.start - 30), candidate.start)
    means = match and _INSTRUMENT.search(text, max(0, match.start() - 40), match.start())
    if not means:
        return candidate
    word = match.group("word")
    if word in NON_CONCEPT_WORDS or word.endswith(("ly", "ed", "ing")) or is_generic(word):
        return candidate
    surface = text[match.start():candidate.end]
    return Candidate(match.start(), candidate.end, surface, name_key(surface), surface, "method", "modifier",
                     candidate.confidence, family=candidate.key,
                     known=not means.group().lower().startswith(("introduc", "propos")))  # else the paper's own


def _quoted_terms(text: str) -> list[Candidate]:
    """Coined terms in quotes ('we revisit "layer tying"'), typed by their head word (else methods)."""
    found = []
    for match in _QUOTED.finditer(text):
        term = match.group("term")
        words = term.split()
        if (words[0] in NON_CONCEPT_WORDS or words[-1] in NON_CONCEPT_WORDS or is_generic(term)
                or any(part in NON_CONCEPT_WORDS for w in words for part in w.split("-")[1:])):  # "state-of-the-art"
            continue
        found.append(Candidate(match.start("term"), match.end("term"), term, name_key(term), term,
                               phrase_type(term), "quoted", CONFIDENCE["quoted"]))
    return found


def _is_concept(name: str) -> bool:
    """A lower-case phrase (maybe capitalised at a sentence start), not a proper name."""
    return (name[:1].lower() + name[1:]).islower() and (" " in name or name.islower())


def _words_before(text: str, candidate: Candidate, defined_at: set[int]) -> list[str]:
    """The last two words before a name that could announce its type ("the benchmark X", "a language
    model (X)", "models (A, X, and B)"); none before an acronym in its own definition "Long Form (X)"."""
    if candidate.start in defined_at:
        return []
    clause = _SAME_CLAUSE.search(text, max(0, candidate.start - 60), candidate.start).group()
    listed = _BRACKETED_LIST.match(clause)
    if listed is not None and not clause.rstrip().endswith("("):
        clause = listed.group("head")
    return _INTRODUCER.sub("", clause).split()[-2:]


def _appositive_head(text: str, end: int) -> list[str]:
    """The last two words of the noun phrase set beside a name, e.g. ['language', 'model'] or []."""
    match = _APPOSITIVE.match(text, end)
    if match is None:
        return []
    return _PHRASE_END.split(match.group("phrase"), maxsplit=1)[0].split()[-2:]


def _proposal_candidate(text: str, start: int, phrase: str) -> Candidate | None:
    """The named technique in one proposed noun phrase, or None for a generic one ("a novel method")."""
    words = phrase.split(" ")
    while words and (words[0].lower() in NON_CONCEPT_WORDS or words[0].lower() == "yet"):  # "simple yet effective"
        start += len(words[0]) + 1
        words = words[1:]
    if not 2 <= len(words) <= 5 or any(not WORD.fullmatch(w) for w in words):
        return None
    head = words[-1].lower()
    core = words[:-1] if head in CONTAINER_HEADS else words
    core_head = core[-1].lower().split("-")[-1]
    if core_head in ("model", "models") or (core_head not in METHOD_HEAD_WORDS and CONCEPT_HEADS.get(core_head) != "method"):
        return None  # "a unified language model": a description, not a technique's name
    if len(core) < 2 or any(w.lower() in NON_CONCEPT_WORDS for w in core) or is_generic(" ".join(core)):
        return None
    if core[0].lower().endswith("ing"):
        return None  # "training sparse autoencoders": a verb phrase
    surface = " ".join(words)
    name = " ".join(core)
    return Candidate(start, start + len(surface), surface, name_key(name), name, "method", "proposal",
                     CONFIDENCE["proposal"])


class EntityRecognizer:
    """Finds typed entity mentions in a text, given the lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._plain: dict[str, tuple[str, ...] | None] = {}
        self._plain_version = lexicon.version

    def recognize(self, text: str, title_end: int | None = None) -> Recognition:
        """All non-overlapping mentions in `text`; `title_end` marks where the title ends, if any."""
        if _URL_MARK.search(text):
            text = _URL.sub(lambda m: " " * len(m.group()), text)  # links are not names
        local = Lexicon()
        title_names, title_types = self._title_names(text, title_end, local)
        definitions = list(find_acronyms(text))
        blocked, measures, spelled_out = self._acronym_entries(text, definitions, local)
        candidates = [c for c in self._without_overlaps([*spelled_out, *self._scan(text, local)])
                      if c.key not in blocked and name_key(c.text) not in measures]
        candidates = [_with_modifier(text, c) for c in self._without_lone_acronyms(text, candidates)]
        not_entities = {c.key for c in candidates if _names_non_entity(text, c)}
        candidates = [c for c in candidates
                      if c.key not in not_entities and not _names_model_class(text, c, title_end or 0)]
        found = [*candidates, *self._concept_phrases(text, candidates, title_end or 0),
                 *self._proposed_phrases(text), *_quoted_terms(text)]
        phenomena = {c.key for c in found if _names_phenomenon(text, c)}
        candidates = self._without_overlaps([c for c in found if c.key not in phenomena])
        in_brackets = {d.short_start for d in definitions if d.short_start > d.long_start}  # "Long Form (LF)"
        self._type_from_contexts(text, candidates, in_brackets)
        listed = self._listed(text, local)
        return Recognition(candidates, title_names, local, listed, title_types,
                           named=self._named_phrases(text, title_end or 0, candidates + listed),
                           listed_types=self._listed_types(text, local), measures=measures)

    # -- sources of names -------------------------------------------------------------------------

    def _listed(self, text: str, local: Lexicon) -> list[Candidate]:
        """The items of the text's typed enumerations ("datasets (Brightkite, Foursquare and Yelp)"),
        each the entity its own definitions or the lexicon name by that surface, else a new one."""
        listed = []
        for start, end, surface, entity_type, found in self._list_items(text, local, enumerated_names(text)):
            if found is None:
                listed.append(Candidate(start, end, surface, name_key(surface), surface, entity_type, "list",
                                        CONFIDENCE["list"]))
            else:
                entry, rule = found
                listed.append(self._candidate(start, end, surface, entry, rule) if rule == "lexicon" else
                              Candidate(start, end, surface, entry.key, entry.name, entity_type, "list",
                                        CONFIDENCE["list"]))
        return listed

    def _listed_types(self, text: str, local: Lexicon) -> dict[str, str]:
        """The keys of the names the text lists under a typing head noun, with its type: the items of
        its complete enumerations and of its coordinations before a plural resource noun ("the CUB and
        Visual Genome datasets"). Lexicon names are left out: they keep the lexicon's type."""
        types: dict[str, str] = {}
        items = [*enumerated_names(text, complete=True), *coordinated_names(text)]
        for _, _, surface, entity_type, found in self._list_items(text, local, items):
            if found is None or found[1] != "lexicon":
                types.setdefault(name_key(surface) if found is None else found[0].key, entity_type)
        return types

    def _list_items(self, text: str, local: Lexicon, items: Iterable[tuple[int, int, str]],
                    ) -> Iterator[tuple[int, int, str, str, tuple[LexiconEntry, str] | None]]:
        """(start, end, surface, type, what `lookup` finds) of each listed item that may be a name: not
        a generic concept or a common word ("metrics (Accuracy, F1)", "tasks (Code, Math)"), unless spelled
        in capitals ("datasets of HAR (UCI-HAR, OPPORTUNITY, PAMAP2)")."""
        for start, end, entity_type in items:
            surface = text[start:end]
            if not (is_generic(surface) or (surface.lower() in common_words()
                                            and not (surface.isupper() and len(surface) > 3))):
                yield start, end, surface, entity_type, self.lookup(surface, local)

    @staticmethod
    def _named_phrases(text: str, title_end: int, candidates: list[Candidate]) -> list[Candidate]:
        """Capitalised names of two or more words after an article in the abstract ("a Query Planner"),
        where no rule candidate or enumerated item lies: a paper's named components. Not generic
        concepts, organisations, places, phenomena or measures ("the Large Language Model", "the World
        Health Organization", "the Character Error Rate"). Also one capitalised word between "the" and a
        resource head noun, of the head's type ("the Yelp dataset"), but not a language ("the Finnish
        dataset"); and capitalised words an appositive types ("Anomalib, a deep-learning library")."""
        taken = Intervals()
        for candidate in candidates:
            taken.add(candidate.start, candidate.end)
        found = []
        for match in _NAMED_PHRASE.finditer(text, title_end):
            start, end = match.span("name")
            name = match.group("name")
            head = name.rsplit(None, 1)[-1]
            if (taken.overlaps(start, end) or head.lower() in _NOT_NAMED_HEADS or is_generic(head)
                    or is_generic(name) or MODIFIER_SUFFIX.search(name)):
                continue  # "the Conversational AI", "an LLM-based MAS"
            found.append(Candidate(start, end, name, name_key(name), name, phrase_type(name), "named",
                                   CONFIDENCE["named"]))
        for match in _HEADED_NAME.finditer(text, title_end):
            start, end = match.span("name")
            name = match.group("name")
            if (taken.overlaps(start, end) or name.lower() in common_words() or is_generic(name)
                    or _LANGUAGE_SHAPED.fullmatch(name)):
                continue
            found.append(Candidate(start, end, name, name_key(name), name, TYPE_HEADS[match.group("head")], "named",
                                   CONFIDENCE["named"]))
        for match in _APPOSITIVE_NAME.finditer(text, title_end):
            start, end = match.span("name")
            name = match.group("name")
            if taken.overlaps(start, end) or not _is_appositive_name(text, start, name, title_end):
                continue
            found.append(Candidate(start, end, name, name_key(name), name, TYPE_HEADS[match.group("head")],
                                   APPOSITIVE_RULE, CONFIDENCE[APPOSITIVE_RULE]))
        return found

    def lookup(self, surface: str, local: Lexicon) -> tuple[LexiconEntry, str] | None:
        """The entry the text's own names (`local`, ruled by its source) or the lexicon give a surface."""
        entry = local.lookup(surface)
        if entry is not None:
            return entry, entry.source
        entry = self.lexicon.lookup(surface)
        return None if entry is None else (entry, "lexicon")

    def _title_names(self, text: str, title_end: int | None, local: Lexicon) -> tuple[set[str], dict[str, str]]:
        """'X: subtitle' (or 'X and Y: subtitle') titles name the paper's own contributions; a title (or
        subtitle) without such a name may still present one as 'a Title-Case Technique' ('A Markov
        Categorical Framework for ...'). Also the type the title states for a name the lexicon does not
        know: its own head noun ('Large Concept Models'), else the head noun of a subtitle opening with
        an article ('A Novel Dataset with ...', 'A Benchmark for ...'); tasks aside."""
        if not title_end:
            return set(), {}
        match = _TITLE_NAME.match(text[:title_end])
        if not match:
            return self._title_article_phrase(text[:title_end], local), {}
        chunk = _FIRST_PHRASE.split(match.group("rest"), maxsplit=1)[0].split()
        # "A Novel Dataset with ...", "V-FAT: Benchmarking ..." (not "X and Y: Benchmarking and Improving ...")
        subtitle_head = head_type(chunk[-1:]) if len(chunk) >= 2 and chunk[0].lower() in {"a", "an", "the"} else \
            "benchmark" if _BENCHMARKING.match(match.group("rest")) else None
        keys, types = set(), {}
        for name in (n.strip() for n in _NAME_LIST.split(match.group("name"))):
            words = name.split()
            known = self.lookup(name, local)
            if known is None and not is_title_name(words):
                continue
            if known is not None:
                entry = known[0]
            else:
                entry = LexiconEntry(name=name, type=self._title_name_type(name, match.group("rest")),
                                     source="title-name", confidence=CONFIDENCE["title-name"])
                local.add(entry)
            keys.add(entry.key)
            stated = head_type(words[-1:]) or subtitle_head
            if stated and stated != "task" and (known is None or known[1] != "lexicon"):
                types[entry.key] = stated
                if resource_head_type(name):  # "MALIBU Benchmark: ..." then "We present MALIBU, ..."
                    types.setdefault(name_key(" ".join(words[:-1])), stated)
        # 'Harnessing Explanations: LLM-to-LM Interpreter for ...': no name before the colon, one after.
        return keys or self._title_article_phrase(match.group("rest"), local), types

    def _title_article_phrase(self, title: str, local: Lexicon) -> set[str]:
        """A title without a 'Name:' that presents a Title-Case technique, after 'a'/'an' ('Creating A
        Neural Pedagogical Agent by ...') or as its opening phrase ('Graph-Aware Isomorphic Attention for
        ...'), unless it is generic, well known, opens with a verb ('Characterizing ...') or is only a
        kind of model ('a Unified Language Model')."""
        match = _TITLE_ARTICLE.search(title) or _TITLE_OPENING.match(title)
        if match is None:
            return set()
        words = _FIRST_PHRASE.split(match.group("phrase"), maxsplit=1)[0].split()
        core = words[:-1] if words and words[-1].lower() in CONTAINER_HEADS else words
        if (len(core) < 2 or not all(w[0].isupper() for w in words) or is_generic(" ".join(core))
                or any(w.lower() in NON_CONCEPT_WORDS for w in core)
                or words[0].lower() in TITLE_OPENERS or words[0].lower().endswith("ing")):
            return set()
        phrase = " ".join(words)
        if any(self.lexicon.lookup(w) is not None for w in core):
            return set()  # 'Adam Optimizer Variants for ...' is about Adam, not a new name
        if phrase_type(phrase, fallback="") != "method" or self.lexicon.lookup(phrase) is not None:
            return set()  # a well-known technique ("A Transformer Architecture for ...") is not the paper's
        found = self.lookup(phrase, local)  # already discovered: the corpus pass
        entry = found[0] if found else LexiconEntry(name=phrase, type="method", source="title-name",
                                                    confidence=CONFIDENCE["title-name"])
        local.add(entry)
        return {entry.key}

    def _acronym_entries(self, text: str, definitions: list[AcronymDefinition],
                         local: Lexicon) -> tuple[set[str], set[str], list[Candidate]]:
        """'Long Form (LF)' definitions: both forms become one entity (known or new).

        Returns the keys of acronyms defined as generic concepts ('large language models (LLMs)') or
        as the first word of a known name, which are then not entities anywhere in the text; the keys
        of both forms of a measure ('Click-Through Rate (CTR)'), which nothing in the text names; and
        mentions of those known names spelled out around the definition ('Key-Value (KV) cache').
        """
        blocked: set[str] = set()
        measures: set[str] = set()
        spelled_out: list[Candidate] = []
        for definition in definitions:
            long, short = " ".join(definition.long.split()), definition.short
            head = _NEXT_WORD.match(text, definition.short_end)
            whole = self.lexicon.lookup(f"{short} {head.group(1)}") if head else None
            if whole is not None and whole.key != name_key(short) and self.lexicon.lookup(short) is None:
                blocked.add(name_key(short))
                spelled_out.append(self._candidate(definition.long_start, head.end(),
                                                   text[definition.long_start:head.end()], whole, "lexicon"))
                continue
            known = self.lookup(long, local) or self._same_short_form(short, long, local)
            if known is not None:
                entry = known[0]
                local.add(LexiconEntry(name=entry.name, type=entry.type, aliases=[*entry.aliases, long, short],
                                       family=entry.family, source=known[1], confidence=entry.confidence))
                continue
            if is_generic(long) or is_generic(short) or self._is_generic_class(long, short):
                blocked.update({name_key(short), name_key(short.rstrip("s"))})
                continue
            if long.replace("-", " ").split()[-1].lower() in METRIC_HEADS:  # "Click-Through Rate (CTR)"
                measures.update(key + plural for key in (name_key(short), name_key(long)) for plural in ("", "s"))
                continue
            local.add(LexiconEntry(name=long, type=phrase_type(long), aliases=[short], source="acronym",
                                   confidence=CONFIDENCE["acronym"]))
        return blocked | measures, measures, spelled_out

    @staticmethod
    def _without_lone_acronyms(text: str, candidates: list[Candidate]) -> list[Candidate]:
        """A short all-capitals word nobody defined or listed counts only when the text repeats it or
        the paper says it presents or uses it ("We present RUFF, ...")."""
        def lone(c: Candidate) -> bool:
            return (c.rule == "shape" and c.text.isupper() and len(c.text) <= 4
                    and not _WE_VERB.search(text, max(0, c.start - 40), c.start))
        counts = Counter(c.key for c in candidates if lone(c))
        return [c for c in candidates if not lone(c) or counts[c.key] >= 2]

    def _same_short_form(self, short: str, long: str, local: Lexicon) -> tuple[LexiconEntry, str] | None:
        """The entity this acronym already denotes: the paper's title name, or a known entity whose own
        long form is spelled much like this one."""
        known = self.lookup(short, local) or (self.lookup(short[:-1], local) if is_plural_acronym(short) else None)
        if known is None:
            return None
        surfaces = known[0].surfaces
        if (known[1] == "title-name" or any(similar_phrases(long, surface) for surface in surfaces)
                or (known[1] == "lexicon" and _is_mixed_case(short) and not any(" " in s for s in surfaces)
                    and _same_kind(phrase_type(long, fallback=""), known[0].type))):
            return known  # the title's own name is spelled out in the abstract, or a known acronym
        return None

    @staticmethod
    def _is_generic_class(long: str, short: str) -> bool:
        """'feature attribution methods (FAs)': a plural lower-case class of things, not one named thing."""
        return _is_concept(long) and long.endswith("s") and short.endswith("s")

    # -- scanning -----------------------------------------------------------------------------------

    def _scan(self, text: str, local: Lexicon) -> list[Candidate]:
        words = _Words(text)
        starts, ends, tokens = words.starts, words.ends, words.tokens
        candidates: list[Candidate] = []
        i = 0
        while i < len(tokens):
            plain = self._plain_word_keys(tokens[i])
            if plain is not None and not any(local.may_extend(key) for key in plain):
                i += 1  # an ordinary word that neither starts nor is a name: most words of a text
                continue
            found = self._longest_lexicon_match(text, words, i, local)
            if found is not None:
                candidate, width = found
                has_next = i + width < len(tokens)
                following = text[candidate.end:ends[i + width]] if has_next else ""
                rest = text[candidate.end:candidate.end + 40]
                if (is_architecture_descriptor(candidate.text, candidate.type, rest)
                        or (candidate.type == "method" and is_verb_use(candidate.text, following))):
                    i += width + 1
                    continue
                if has_next and text[candidate.end:starts[i + width]] in (" ", "-") and (
                        candidate.type == "model" and _SPACED_SIZE.match(tokens[i + width])
                        or candidate.type in RESOURCE_TYPES and _SPACED_VERSION.match(tokens[i + width])):
                    family = self.lookup(candidate.text, local)[0]
                    candidate = self._variant(candidate.start, text[candidate.start:ends[i + width]], family)
                    width += 1
                candidates.append(candidate)
                i += width
                continue
            candidates.extend(self._single_word(words, i, local))
            i += 1
        return candidates

    def _plain_word_keys(self, word: str) -> tuple[str, ...] | None:
        """For a lower-case word ('models', 'Training') that starts no lexicon name and is none, nor the
        plural of one: the keys a text's own names would have to start with to make it more; else None."""
        if self._plain_version != self.lexicon.version:
            self._plain.clear()
            self._plain_version = self.lexicon.version
        keys = self._plain.get(word, _UNSEEN)
        if keys is _UNSEEN:
            if len(self._plain) >= LOOKUP_MEMORY:
                self._plain.clear()
            keys = self._plain[word] = self._plain_keys(word)
        return keys

    def _plain_keys(self, word: str) -> tuple[str, ...] | None:
        if not (word.isalpha() and word[1:].islower()):
            return None
        word_key, _, singular_key = _spellings(word)
        plural = word[:-1] if word.endswith("s") and len(word) > 3 else None
        if (self.lexicon.may_extend(word_key) or self.lexicon.may_extend(singular_key)
                or self.lexicon.lookup(word) is not None or (plural and self.lexicon.lookup(plural) is not None)):
            return None
        return (word_key, singular_key, name_key(plural)) if plural else (word_key, singular_key)

    def _longest_lexicon_match(self, text: str, words: _Words, i: int,
                               local: Lexicon) -> tuple[Candidate, int] | None:
        """The longest run of words from position i that some lexicon knows (a prefix-key walk)."""
        extends, extends_local = self.lexicon.may_extend, local.may_extend
        known, known_local = self.lexicon.has_key, local.has_key
        starts, ends, tokens = words.starts, words.ends, words.tokens
        best = None
        key = singular_key = ""  # singular_key: the key with plural endings of the words so far dropped
        singular_words: list[str] = []
        for j in range(i, len(tokens)):
            if j > i and not _GAP.match(text[ends[j - 1]:starts[j]]):
                break
            word = tokens[j]
            word_key, singular_word, singular_word_key = _spellings(word)
            # "k-nearest-neighbors language model" spells the alias "k-nearest neighbor language model".
            folded_key = singular_key + word_key
            key += word_key
            singular_words.append(singular_word)
            singular_key += singular_word_key
            if not (extends(key) or extends(folded_key) or extends(singular_key) or extends_local(key)
                    or extends_local(folded_key) or extends_local(singular_key)):
                break
            # the keys of the words so far, joined, are the key of the surface: look up only a known key
            surface = text[starts[i]:ends[j]]
            found = self.lookup(surface, local) if known(key) or known_local(key) else None
            if found is None and folded_key != key and (known(folded_key) or known_local(folded_key)):
                found = self.lookup(" ".join([*singular_words[:-1], word]), local)
            if found is not None:
                best = self._candidate(starts[i], ends[j], surface, *found), j - i + 1
        return best

    def _single_word(self, words: _Words, i: int, local: Lexicon) -> list[Candidate]:
        """A word no lexicon knows whole; 'A/B' lists are read part by part."""
        word, start = words.tokens[i], words.starts[i]
        following = words.tokens[i + 1:i + 3]
        if "/" not in word:
            return self._unknown_word(word, start, following, local)
        family = size_list_family(word)
        named = self._unknown_word(family, start, following, local) if family else []
        if len(named) == 1 and named[0].text == family:
            # 'InternVL-2.0-4B/8B/26B': the family at the parameter sizes listed, so a model if new
            return [replace(named[0], end=words.ends[i], text=word,
                            type=named[0].type if named[0].known else "model")]
        found, offset = [], start
        for part in word.split("/"):
            found.extend(self._unknown_word(part, offset, following, local) if part else [])
            offset += len(part) + 1
        return found

    def _unknown_word(self, token: str, start: int, following: list[str], local: Lexicon) -> list[Candidate]:
        """Compounds, plurals, sized variants, hyphen parts and new name-shaped words."""
        if token.endswith(("'s", "’s")):
            token = token[:-2]
        whole = self.lookup(token, local)
        if whole is not None:
            return [self._candidate(start, start + len(token), token, *whole)]
        if token.isalpha() and token[1:].islower():
            plural = self.lookup(token[:-1], local) if token.endswith("s") and len(token) > 3 else None
            # An ordinary word: at most the plural of a name ("Transformers"); no variant, no name shape.
            return [self._candidate(start, start + len(token), token, *plural)] if plural else []
        core = strip_compound_suffix(token)
        for surface in (core, core[:-1] if core.endswith("s") and len(core) > 3 else None):
            if surface and surface != token:
                found = self.lookup(surface, local)
                if found is not None:
                    if is_architecture_descriptor(surface, found[0].type, token[len(surface):]):
                        return []
                    return [self._candidate(start, start + len(surface), surface, *found)]
        variant = split_variant(core)
        if variant is not None:
            found = self.lookup(variant[0], local)
            if found is not None and found[0].type == "model":
                return [self._variant(start, core, found[0])]
        if is_name_shaped(core) and not is_plural_acronym(core):
            return [Candidate(start, start + len(core), core, name_key(core), core,
                              self._discovered_type(core, following), "shape", CONFIDENCE["shape"])]
        return self._hyphen_parts(token, start, local)

    @staticmethod
    def _variant(start: int, surface: str, family: LexiconEntry) -> Candidate:
        """A sized or versioned model ('Pythia 1B', 'LLaMA-2-7B'): its own entity, linked to its family."""
        return Candidate(start, start + len(surface), surface, name_key(surface), surface, family.type, "variant",
                         CONFIDENCE["variant"], family=family.key)

    def _hyphen_parts(self, token: str, start: int, local: Lexicon) -> list[Candidate]:
        """Known names inside a hyphenated word ('GPT-2-small/medium' -> 'GPT-2', 'Bert-Mini' -> BERT); a
        capitalised word matches a name with inner capitals only when spelled so ('Zero-Shot' holds no
        'ZeRO')."""
        found: list[Candidate] = []
        offset = 0
        for part in re.split(r"([-/])", token):
            if part not in ("-", "/") and part:
                hit = self.lookup(part, local)
                if hit is not None and not hit[0].name.islower() and not _recased(part, hit[0]):
                    found.append(self._candidate(start + offset, start + offset + len(part), part, *hit))
            offset += len(part)
        return found

    @staticmethod
    def _candidate(start: int, end: int, surface: str, entry: LexiconEntry, rule: str) -> Candidate:
        return Candidate(start, end, surface, entry.key, entry.name, entry.type, rule, entry.confidence,
                         family=name_key(entry.family) if entry.family else None, known=rule == "lexicon")

    @staticmethod
    def _concept_phrases(text: str, found: list[Candidate], title_end: int) -> list[Candidate]:
        """Lower-case technical phrases ending in a task or method head ('tree pruning', 'tool retrieval').

        Two words (modifier + head), three when the three-word phrase recurs in the text; kept when the
        phrase is in the title or recurs, and never over a span another rule already found.
        """
        taken = Intervals()
        for c in found:
            taken.add(c.start, c.end)
        lowered = text.lower()
        occurrences: dict[str, int] = {}  # a phrase counted once however often it recurs
        phrases = []
        for match in _CONCEPT.finditer(lowered[:title_end] + text[title_end:]):
            words = match.group().split()
            head = words[-1] if words[-1] in CONCEPT_HEADS else words[-1].split("-")[-1]
            if head not in CONCEPT_HEADS:
                continue
            tail = " ".join(words[-3:])
            if len(words) >= 3 and tail not in occurrences:
                occurrences[tail] = lowered.count(tail)
            width = 3 if len(words) >= 3 and occurrences[tail] >= 2 else 2
            words = words[-width:]
            if len(words) < 2 or any(w in NON_CONCEPT_WORDS or w in TITLE_OPENERS or w.endswith("ly")
                                     for w in words[:-1]):
                continue
            phrase = " ".join(words)
            start = match.end() - len(phrase)
            if is_generic(phrase) or taken.overlaps(start, match.end()):
                continue
            phrases.append(Candidate(start, match.end(), text[start:match.end()], name_key(phrase), phrase,
                                     CONCEPT_HEADS[head], "concept", CONFIDENCE["concept"]))
        recurring = Counter(p.key for p in phrases)
        in_title = {p.key for p in phrases if p.start < title_end}
        return [p for p in phrases if recurring[p.key] >= 2 or p.key in in_title
                or _INSTRUMENT.search(text, max(0, p.start - 40), p.start)]

    @staticmethod
    def _proposed_phrases(text: str) -> list[Candidate]:
        """Technical noun phrases a paper says it proposes ("we introduce tree pruning and tree fusion",
        "we develop a next-byte sampling algorithm"): two to five words ending in a method head word,
        unless a name follows that the phrase only describes ("a feature merging strategy, named X")."""
        found = []
        for match in _PROPOSAL.finditer(text):
            obj = match.group("object")
            chunk = _PHRASE_END.split(obj, maxsplit=1)[0]
            offset = match.start("object")
            if _NAMED_AFTER.match(obj, len(chunk)):
                continue
            for part in re.finditer(r"[^ ]+(?: (?!and\b|or\b)[^ ]+)*", chunk):
                candidate = _proposal_candidate(text, offset + part.start(), part.group())
                if candidate is not None:
                    found.append(candidate)
        return found

    @staticmethod
    def _type_from_contexts(text: str, candidates: list[Candidate], defined_at: set[int]) -> None:
        """Retype a discovered name by the head nouns around all its mentions: "X dataset", "X, a
        benchmark for ...", "the benchmark X", "a dataset called X"."""
        votes: dict[str, Counter] = defaultdict(Counter)
        for c in candidates:
            if not c.known and c.rule in CONTEXT_TYPED_RULES:
                after = WORD.findall(_ADJACENT.match(text, c.end).group())[:2]
                before = _words_before(text, c, defined_at)
                for announced in (edge_type(after, at_end=False), edge_type(_appositive_head(text, c.end), at_end=True),
                                  edge_type(before, at_end=True)):
                    # A lower-case concept is a technique or task; "a TVG model" is a model for it.
                    if announced and announced != "task" and not (announced == "model" and _is_concept(c.name)):
                        votes[c.key][announced] += 1
                        break
        for c in candidates:
            if c.key in votes:
                c.type = votes[c.key].most_common(1)[0][0]

    def _title_name_type(self, name: str, subtitle: str) -> str:
        """Type of a title name: its own head noun ('Large Concept Models'), else the head of the
        subtitle's first phrase ('A Lossless Decoding Method for ...', 'Semantic Space Informed Prompt
        Learning with ...'); a subtitle saying what the thing does ('Customizing LLMs by ...') describes
        a method."""
        own = head_type(name.split()[-1:])
        if own and own != "task":
            return own
        chunk = _FIRST_PHRASE.split(subtitle, maxsplit=1)[0].split()
        if chunk and chunk[0].lower().endswith("ing"):
            return "method"
        announced = head_type(chunk[-1:])
        if not announced and len(chunk) >= 2 and phrase_type(" ".join(chunk), fallback="") == "method":
            return "method"
        return self._discovered_type(name, chunk[-1:])

    def _discovered_type(self, name: str, context_words: list[str]) -> str:
        """Type of a new name: an announcing head noun nearby, its shape, else what it is built from."""
        announced = head_type(context_words[:3])
        if announced and announced != "task":
            return announced
        shaped = shape_type(name)
        if shaped:
            return shaped
        parts = [p for p in re.split(r"[-/ ]", name) if p]
        for part in reversed(parts):
            entry = self.lexicon.lookup(part)
            if entry is None:
                entry = next((self.lexicon.entries[k] for k in self._known_suffixes(part)), None)
            if entry is not None and entry.type in ("model", "method"):
                return entry.type
        return "method"

    def _known_suffixes(self, part: str) -> list[str]:
        """Keys of known models named at the end of a camel-case word ('IndicBERT' -> 'bert'; not the
        English word ending 'InfAlign')."""
        keys = []
        for cut in range(1, len(part) - 2):
            if part[cut].isupper() and part[cut - 1] != part[cut - 1].upper() and is_name_shaped(part[cut:]):
                key = name_key(part[cut:])
                if key in self.lexicon and self.lexicon.entries[key].type == "model":
                    keys.append(key)
        return keys

    @staticmethod
    def _without_overlaps(candidates: list[Candidate]) -> list[Candidate]:
        """Keep the longest, then most confident, of overlapping mentions."""
        kept: list[Candidate] = []
        taken = Intervals()
        for c in sorted(candidates, key=lambda c: (-(c.end - c.start), -c.confidence, c.start)):
            if not taken.overlaps(c.start, c.end):
                kept.append(c)
                taken.add(c.start, c.end)
        return sorted(kept, key=lambda c: c.start)
