"""Corpus-level name propagation that cannot poison a corpus.

A name one paper introduces (it proposes it, or defines it as an acronym or in its title) is also
linked in the other papers that write it, but only:

- in its own case-sensitive spellings, at word boundaries ("TO" never matches "to" or "To");
- when the spelling is name-shaped (a capital or digit) and not a common English word in any case
  ("HAVE", "USE", "Language" are never propagated);
- in papers whose own extraction did not name it, only when the spelling is distinctive: it holds a
  name-shaped word and the lexicon does not know it ("ReAGent" is looked for everywhere; "AI systems",
  "UAV" and "LSTM" only join the papers that name them themselves);
- and after a document-frequency check: a name that would land in a large share of the corpus mostly
  through propagation is examined and dropped, with a note saying so.

The pass is map -> reduce -> broadcast -> map: `introduced_names` collects what each paper introduces
(reduce), `NameMatcher` holds the spellings every paper is matched against (broadcast), and
`propagate` only scans each paper's text for those spellings; the trained pipeline does not run again.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import ahocorasick

from kg.extract.acronyms import is_short_form
from kg.extract.intervals import Intervals
from kg.extract.lexicon import Lexicon, common_words, load_lexicon
from kg.extract.recognizer import DEFINITION_RULE, Candidate, similar_phrases
from kg.extract.roles import RoleClassifier, is_survey
from kg.extract.shapes import is_name_shaped, is_plural_acronym
from kg.keys import name_key
from kg.model import TITLE_SEPARATOR, EntityRef, Mention, PaperEntities

PROPAGATED_RULE = "corpus"
PROPAGATED_CONFIDENCE = 0.6
# Rules whose names a paper introduces itself (the tagger's own new names count when proposed).
INTRODUCING_RULES = ("acronym", "title-name")
KNOWN_RULES = ("lexicon", "variant")
# The document-frequency check: a name in more than this share of papers is examined ...
DF_SHARE = 0.05
DF_MIN_PAPERS = 20
# ... and kept only when the paper's own extraction, not propagation, found it in at least this share.
FOUND_SHARE = 0.5
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z(\"“])|\n+")


@lru_cache(maxsize=1 << 16)
def is_propagatable(surface: str) -> bool:
    """A spelling safe to match in other papers: it has a capital or a digit; a single word is not a
    common word in any case ("TO", "HAVE", "Language") and is shaped like a name ("GaTR", "BRIGHT-Plus",
    "Qwen2"; not "Multi-Agent", which is two capitalised words)."""
    if len(surface) < 2 or not any(c.isupper() or c.isdigit() for c in surface):
        return False
    if " " in surface:
        return True
    return surface.lower() not in common_words() and not surface.isdigit() and is_name_shaped(surface)


@lru_cache(maxsize=1)
def _lexicon() -> Lexicon:
    return load_lexicon()


def _distinctive_word(word: str) -> bool:
    return (is_name_shaped(word) and word.lower() not in common_words() and not is_plural_acronym(word)
            and not (word.isupper() and len(word) < 4))


@lru_cache(maxsize=1 << 16)
def is_distinctive(surface: str) -> bool:
    """A spelling that may link a paper which writes it without its own extraction naming it: it holds
    a word shaped like a name ("ReAGent", "MaxSim", "PDDL") that is no plural acronym ("CUAs": a class
    of things) and no acronym of two or three letters ("AP", "UAV": each stands for many things), and
    the lexicon does not know it (its own entity, judged in every paper). At 112k papers nearly every
    link the scan made through other spellings was a generic phrase: "AI systems" (2,539 papers),
    "A Benchmark", "agentic AI", "World Models", "Knowledge Graphs"."""
    if not (surface[:1].isalnum() and surface[-1:].isalnum()):
        return False
    # the word test first: it refuses half the spellings without the slower lexicon lookup
    return any(_distinctive_word(word) for word in surface.split()) and _lexicon().lookup(surface) is None


@dataclass
class IntroducedName:
    """A name some paper introduces: its key, canonical name, type and case-sensitive spellings."""

    key: str
    name: str
    type: str
    surfaces: set[str] = field(default_factory=set)
    family: str | None = None


def _known(ref: EntityRef) -> bool:
    return any(known in m.rule for m in ref.mentions for known in KNOWN_RULES)


def _introduces(ref: EntityRef) -> bool:
    rules = [m.rule for m in ref.mentions]
    if _known(ref):
        return False
    return ref.role == "proposes" or any(intro in rule for rule in rules for intro in INTRODUCING_RULES)


def _matches_papers(mention: Mention) -> bool:
    """Whether the corpus pass may match papers by this mention's spelling: not by a form of the paper's
    own definition added after judging ("long-term memory (LTM)" is not another paper's LTM)."""
    return mention.rule != DEFINITION_RULE


def introduced_names(corpus: Iterable[PaperEntities]) -> dict[str, IntroducedName]:
    """Reduce: every name some paper introduces, with the spellings papers wrote it in."""
    names: dict[str, IntroducedName] = {}
    types: dict[str, Counter] = defaultdict(Counter)
    for item in corpus:
        for ref in item.entities:
            if not _introduces(ref):
                continue
            name = names.setdefault(ref.id, IntroducedName(ref.id, ref.name, ref.type, family=ref.family))
            name.surfaces.update(m.text for m in ref.mentions if _matches_papers(m) and is_propagatable(m.text))
            types[ref.id][ref.type] += 1
    for key, name in names.items():
        name.type = types[key].most_common(1)[0][0]
    return {key: name for key, name in names.items() if name.surfaces}


def unambiguous_surfaces(names: dict[str, IntroducedName]) -> dict[str, str]:
    """Spelling -> entity id, for spellings only one introduced name uses ("SC" defined by two papers
    for two things is matched for neither)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for key, name in names.items():
        for surface in name.surfaces:
            owners[surface].add(key)
    return {surface: next(iter(keys)) for surface, keys in owners.items() if len(keys) == 1}


def propagated_surfaces(names: dict[str, IntroducedName]) -> dict[str, str]:
    """The unambiguous spellings the scan looks for in every paper: the distinctive ones."""
    return {surface: key for surface, key in unambiguous_surfaces(names).items() if is_distinctive(surface)}


def merge_spellings(names: dict[str, IntroducedName]) -> dict[str, str]:
    """Introduced names that are one entity spelled two ways: the same acronym with a similar long form
    ('low-rank adaption (LoRA)' and 'Low-Rank Adaptation (LoRA)'). Returns id -> id it merges into
    (the name more papers use), and folds the spellings into it."""
    by_acronym: dict[str, list[str]] = defaultdict(list)
    for key, name in names.items():
        for surface in sorted(name.surfaces):  # the acronyms' order decides merges: not the set's
            if is_short_form(surface) and name_key(surface) != name_key(name.name):
                by_acronym[surface].append(key)
    merged: dict[str, str] = {}
    for keys in by_acronym.values():
        keys = sorted(set(keys), key=lambda k: (-len(names[k].surfaces), k))
        for i, key in enumerate(keys):
            target = next((t for t in keys[:i] if t not in merged
                           and similar_phrases(names[key].name, names[t].name)), None)
            if target is not None and key not in merged:
                merged[key] = target
                names[target].surfaces |= names[key].surfaces
    for key in merged:
        del names[key]
    return merged


def relink(corpus: list[PaperEntities], names: dict[str, IntroducedName], merged: dict[str, str]) -> None:
    """One entity id per introduced name across papers: a merged spelling takes its target's id, and a
    new name another paper introduces under the same case-sensitive spelling takes that name's id (not
    by a form of this paper's own definition, `_matches_papers`)."""
    surfaces = unambiguous_surfaces(names)
    for item in corpus:
        by_id: dict[str, EntityRef] = {}
        for ref in item.entities:
            target = merged.get(ref.id)
            if target is None and ref.id not in names and not _known(ref):
                target = next((surfaces[m.text] for m in ref.mentions if m.text in surfaces and _matches_papers(m)),
                              None)
            if target is not None:
                ref.id, ref.name = target, names[target].name
            if ref.id in by_id:  # two spellings of one entity in the same paper: one ref
                kept = by_id[ref.id]
                kept.mentions.extend(ref.mentions)
                kept.aliases = sorted(set(kept.aliases) | set(ref.aliases))
                kept.confidence = max(kept.confidence, ref.confidence)
            else:
                by_id[ref.id] = ref
        item.entities = list(by_id.values())


def _word_boundary_before(text: str, start: int) -> bool:
    """A word starts at `start`: an ASCII letter or digit not after a letter, digit, '-' or '_'."""
    first = text[start]
    if not (first.isascii() and first.isalnum()):
        return False
    return start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "-_")


def _word_boundary_after(text: str, end: int) -> bool:
    return end == len(text) or not (text[end].isalnum() or text[end] in "-_")


class SpellingScanner:
    """Case-sensitive spellings found at word boundaries in one linear pass over a text, whatever
    their number: an Aho-Corasick automaton (pyahocorasick, in C) reports every occurrence, and only
    those starting a word (an ASCII letter or digit not after a letter, digit, '-' or '_') and ending
    one (not before a letter, digit, '-' or '_') count. At 112k papers and 118k spellings this takes a
    third of the time of a Python walk over the text's words."""

    def __init__(self, spellings: dict[str, str]) -> None:
        """`spellings`: spelling -> the key it stands for."""
        self._automaton = ahocorasick.Automaton()
        for spelling, key in spellings.items():
            self._automaton.add_word(spelling, (len(spelling), key))
        self._empty = not spellings
        if not self._empty:
            self._automaton.make_automaton()

    def _occurrences(self, text: str) -> Iterator[tuple[int, int, str]]:
        if self._empty:
            return
        for last, (length, key) in self._automaton.iter(text):
            start, end = last + 1 - length, last + 1
            if _word_boundary_before(text, start) and _word_boundary_after(text, end):
                yield start, end, key

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, key) of the spellings in `text`, from left to right, the longest where several
        start at one place, none overlapping one taken before it."""
        found: list[tuple[int, int, str]] = []
        position = 0
        for start, end, key in sorted(self._occurrences(text), key=lambda hit: (hit[0], -hit[1])):
            if start >= position:
                found.append((start, end, key))
                position = end
        return found

    def occurs_in(self, text: str) -> bool:
        """Whether any of the spellings is in `text` (at word boundaries)."""
        return next(self._occurrences(text), None) is not None


class NameMatcher:
    """Broadcast: the propagated spellings of the introduced names, each standing for one name."""

    def __init__(self, names: dict[str, IntroducedName]) -> None:
        self.names = names
        self.surfaces = propagated_surfaces(names)
        self._scanner = SpellingScanner(self.surfaces)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, key) of every propagated spelling at word boundaries, longest first."""
        return self._scanner.find(text)


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        bounds.append((start, match.end()))
        start = match.end()
    bounds.append((start, len(text)))
    return bounds


def _matches(item: PaperEntities, matcher: NameMatcher) -> dict[str, list[Candidate]]:
    """Mentions of propagated names in one paper that its own extraction did not already cover."""
    own = {ref.id for ref in item.entities}
    text = item.paper.title + TITLE_SEPARATOR + item.paper.abstract
    base = len(item.paper.title) + len(TITLE_SEPARATOR)
    covered = Intervals()
    for start, end in sorted((m.start + (0 if m.field == "title" else base), m.end + (0 if m.field == "title" else base))
                             for ref in item.entities for m in ref.mentions):
        if not covered.overlaps(start, end):
            covered.add(start, end)
    found: dict[str, list[Candidate]] = defaultdict(list)
    for start, end, key in matcher.find(text):
        if key in own or covered.overlaps(start, end):
            continue
        name = matcher.names[key]
        found[key].append(Candidate(start, end, text[start:end], key, name.name, name.type, PROPAGATED_RULE,
                                    PROPAGATED_CONFIDENCE, family=name.family))
    return found


def frequency_check(found_in: Counter, propagated_in: Counter, papers: int,
                    names: dict[str, IntroducedName]) -> tuple[set[str], list[str]]:
    """The document-frequency check: the names that would reach more than DF_SHARE of the `papers`
    mostly through propagation (papers finding them themselves: `found_in`; reached by propagation:
    `propagated_in`), and a note on each."""
    notes, dropped = [], set()
    limit = max(DF_MIN_PAPERS, DF_SHARE * papers)
    for key, count in propagated_in.most_common():
        total = count + found_in[key]
        if total > limit and found_in[key] < FOUND_SHARE * total:
            dropped.add(key)
            notes.append(f"name {names[key].name!r} not propagated: it would be in {total} of {papers} "
                         f"papers, but only {found_in[key]} find it themselves")
    return dropped, notes


def propagate(corpus: list[PaperEntities], names: dict[str, IntroducedName]) -> list[str]:
    """Map: link each paper to the introduced names it writes; returns notes on examined names."""
    matcher = NameMatcher(names)
    return add_propagated(corpus, [_matches(item, matcher) for item in corpus], names)


def add_propagated(corpus: list[PaperEntities], per_paper: list[dict[str, list[Candidate]]],
                   names: dict[str, IntroducedName]) -> list[str]:
    """Reduce: the document-frequency check over what the map found in each paper (`per_paper`, in
    corpus order), then each paper's propagated entities; returns notes on examined names."""
    found_in = Counter(ref.id for item in corpus for ref in item.entities)
    propagated_in = Counter(key for matches in per_paper for key in matches)
    dropped, notes = frequency_check(found_in, propagated_in, len(corpus), names)
    for item, matches in zip(corpus, per_paper, strict=True):
        matches = {key: mentions for key, mentions in matches.items() if key not in dropped}
        if matches:
            item.entities.extend(_propagated_refs(item, matches))
    return notes


def _propagated_refs(item: PaperEntities, matches: dict[str, list[Candidate]]) -> list[EntityRef]:
    """EntityRefs for one paper's propagated mentions, each with its role in that paper."""
    title, abstract = item.paper.title, item.paper.abstract
    text = title + TITLE_SEPARATOR + abstract
    base = len(title) + len(TITLE_SEPARATOR)
    sentences = [(s, e) for s, e in _sentences(text) if e > s]
    roles = RoleClassifier(text, sentences, len(title), is_survey(title, abstract))
    refs = []
    for key, mentions in matches.items():
        first = mentions[0]
        ref = EntityRef(id=key, name=first.name, type=first.type, role=roles.role(mentions, set()),
                        confidence=PROPAGATED_CONFIDENCE, family=first.family)
        for m in mentions:
            in_title = m.start < len(title)
            start, end = roles.sentence_of(m)
            ref.mentions.append(Mention(text=m.text, field="title" if in_title else "abstract",
                                        start=m.start if in_title else m.start - base,
                                        end=m.end if in_title else m.end - base,
                                        sentence=text[start:end].strip(), rule=PROPAGATED_RULE,
                                        confidence=PROPAGATED_CONFIDENCE))
        ref.aliases = sorted({m.text for m in ref.mentions})
        refs.append(ref)
    return refs

