"""Role classification: does the paper propose, use or merely mention an entity? Read from the
sentences its mentions stand in."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from kg.extract.recognizer import Candidate
from kg.extract.vocabulary import NAMING_TRIGGERS, PROPOSE_TRIGGERS, SURVEY_WORDS, USE_TRIGGERS


def _alternatives(words: Sequence[str]) -> str:
    """The words as one regex alternation shaped as a prefix tree ('us(?:e(?:d|s)?|ing)' for 'use',
    'used', 'uses', 'using'): the same matches as the flat list, which the regex engine tries word by
    word at every position, found several times faster."""
    tree: dict[str, dict] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def branch(node: dict[str, dict]) -> str:
        options = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not options:
            return ""
        ends_here = "" in node
        body = f"(?:{'|'.join(options)})" if len(options) > 1 or ends_here else options[0]
        return f"{body}?" if ends_here else body

    return branch(tree)


def _word_pattern(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{_alternatives(words)})\b", re.IGNORECASE)


_PROPOSE = _word_pattern(PROPOSE_TRIGGERS)
_NAMING = _word_pattern(NAMING_TRIGGERS)
_USE = _word_pattern(USE_TRIGGERS)
_SURVEY = _word_pattern(SURVEY_WORDS)
_SELF = re.compile(r"\b(?:we|our|us|this (?:paper|work|study|article|report)|here)\b", re.IGNORECASE)
_OWN = re.compile(r"\b(?:our|novel|new|proposed)\s+(?:\S+\s+){0,3}$", re.IGNORECASE)
_OTHERS = re.compile(r"\b(?:et al\.|previous(?:ly)?|prior|existing|recent(?:ly)?|traditional|"
                     r"conventional|popular|widely|such as|like|e\.g\.|including)\b", re.IGNORECASE)
_EVIDENCE = re.compile(r"\b(?:experiments?|results?|evaluat\w*|outperform\w*|baselines?|compar\w*)\b", re.I)
# How far before a mention (in characters) a trigger still governs it.
TRIGGER_REACH = 90


def is_survey(title: str, abstract: str) -> bool:
    """A survey or review paper: it mentions, rather than uses, what it covers."""
    opening = abstract[:300]
    return bool(_SURVEY.search(title)) or bool(re.search(r"\bthis (?:survey|review)\b", opening, re.I))


class RoleClassifier:
    """Assigns one role per entity in a paper from the contexts of all its mentions."""

    def __init__(self, text: str, sentences: list[tuple[int, int]], title_end: int | None, survey: bool) -> None:
        self.text = text
        self.title_end = title_end or 0
        self.survey = survey
        self.sentences = sorted(sentences)
        self._starts = [start for start, _ in self.sentences]
        self._read: dict[int, tuple[int, bool, bool]] = {}

    def sentence_of(self, candidate: Candidate) -> tuple[int, int]:
        """(start, end) of the sentence holding the mention."""
        index = bisect.bisect_right(self._starts, candidate.start) - 1
        if index >= 0 and candidate.start < self.sentences[index][1]:
            return self.sentences[index]
        return 0, len(self.text)

    def _cues(self, start: int, end: int) -> tuple[int, bool, bool]:
        """What one sentence says, read once however many mentions it holds: where its first
        self-reference is (-1 if none), whether it cites others' work, whether it reports use."""
        cues = self._read.get(start)
        if cues is None:
            sentence = self.text[start:end]
            own = _SELF.search(sentence)
            uses = bool(_USE.search(sentence)) and bool(own or _EVIDENCE.search(sentence))
            cues = self._read[start] = (start + own.start() if own else -1), bool(_OTHERS.search(sentence)), uses
        return cues

    def role(self, mentions: list[Candidate], title_names: set[str]) -> str:
        """proposes | uses | mentions for one entity."""
        key = mentions[0].key
        if key in title_names or any(self._proposes(m) for m in mentions):
            return "proposes"
        if self.survey:
            return "mentions"
        if any(m.start < self.title_end for m in mentions) or any(self._uses(m) for m in mentions):
            return "uses"
        return "mentions" if all(self._background(m) for m in mentions) else "uses"

    def _proposes(self, mention: Candidate) -> bool:
        start, end = self.sentence_of(mention)
        before = self.text[max(start, mention.start - TRIGGER_REACH):mention.start]
        own_at = self._cues(start, end)[0]
        if not 0 <= own_at < mention.start or _OTHERS.search(before[-40:]):
            return False
        if mention.known:
            return False  # a well-known name is someone else's; only a title "X: ..." makes it the paper's
        return bool(_PROPOSE.search(before) or _NAMING.search(before) or _OWN.search(before))

    def _background(self, mention: Candidate) -> bool:
        """Cited as others' work or as an example: "prior methods such as X", "X (Su et al.)"."""
        own_at, others, _ = self._cues(*self.sentence_of(mention))
        return others and own_at < 0

    def _uses(self, mention: Candidate) -> bool:
        return self._cues(*self.sentence_of(mention))[2]
