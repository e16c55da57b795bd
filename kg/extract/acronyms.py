"""Acronym definitions in the style of Schwartz & Hearst (2003).

Finds "long form (SF)" and "SF (long form)" pairs; the long form is the shortest run of preceding
words whose characters cover the short form's letters in order, the first letter starting a word.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_PAREN = re.compile(r"\(([^()]{1,120})\)")
_SHORT_FORM = re.compile(r"^[A-Za-z][\w\-./+^]{0,11}$")
# "S^2" in a short form stands for two words starting with S ("Semantic Space").
_POWER = re.compile(r"([A-Za-z])\^([2-4])")
_WORD = re.compile(r"\S+")
# "SF (long form)": the short form ending (before white space) where the bracket opens.
_SHORT_FORM_BEFORE = re.compile(r"([A-Za-z][\w\-./+]{1,11})\s*$")
_SHORT_FORM_REACH = 12  # the longest short form _SHORT_FORM_BEFORE matches


@dataclass(frozen=True)
class AcronymDefinition:
    """A defined short form and its long form, with character offsets of both in the text."""

    short: str
    short_start: int
    long: str
    long_start: int

    @property
    def short_end(self) -> int:
        return self.short_start + len(self.short)

    @property
    def long_end(self) -> int:
        return self.long_start + len(self.long)


def is_short_form(text: str) -> bool:
    """An acronym candidate: 2-12 chars, starts with a letter, has a capital, at most two words."""
    return bool(_SHORT_FORM.match(text)) and any(c.isupper() for c in text) and len(text) >= 2


def _matches(short: str, long: str) -> int:
    """Start index in `long` of the shortest suffix covering `short`, or -1 (the S&H algorithm)."""
    s, l = len(short) - 1, len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (long[l].lower() != c or (s == 0 and l > 0 and long[l - 1].isalnum()
                                                     and not _is_second_capital(long, l))):
            l -= 1
        if l < 0:
            return -1
        l -= 1
        s -= 1
    return l + 1 - (l >= 0 and long[l].isalnum())


def _is_second_capital(long: str, index: int) -> bool:
    """`long[index]` is the capital second letter of a word written "eXtreme", "eXplainable": the
    letter its short form takes ("eXtreme Gradient Boosting (XGBoost)")."""
    return (long[index].isupper() and long[index - 1].islower()
            and (index == 1 or not long[index - 2].isalnum()))


def _long_form_before(text: str, end: int, short: str) -> tuple[int, str] | None:
    """The long form ending at `end` for `short`, searching at most min(|SF|+5, 2|SF|) words back."""
    window = [m for m in _WORD.finditer(text, max(0, end - 200), end)]
    letters = sum(c.isalnum() for c in short)
    window = window[-min(letters + 5, letters * 2):]
    if not window:
        return None
    # Stop at sentence or clause punctuation inside the window, and at any bracket: a long form never
    # reaches across one ("(AIME, MATH, GPQA, etc.) with multiple LLMs (GPT, ..." defines no GPT).
    start = window[0].start()
    for i in range(len(window) - 1, -1, -1):
        word = window[i].group()
        bracket = max(word.rfind("("), word.rfind(")"))
        if bracket >= 0:
            start = window[i].start() + bracket + 1
            break
        if word.endswith((".", ";", ":", "!", "?")) and i != len(window) - 1:
            start = window[i + 1].start()
            break
    candidate = text[start:end].rstrip(" ,-")
    offset = _matches(_POWER.sub(lambda m: m.group(1) * int(m.group(2)), short.replace("-", "")), candidate)
    if offset < 0:
        return None
    long = candidate[offset:]
    # The long form must start at a word boundary and be longer than the short form.
    if offset > 0 and candidate[offset - 1].isalnum():
        return None
    if len(long) <= len(short) or not long[0].isalnum():
        return None
    if "%" in long:  # a measurement, not a name: "gains of up to 46% (GPT-4)"
        return None
    return start + offset, long


def _short_form_before(text: str, end: int) -> re.Match | None:
    """_SHORT_FORM_BEFORE in text[:end], searched only where it can start: close to the last word."""
    word_end = end
    while word_end > 0 and text[word_end - 1].isspace():
        word_end -= 1
    return _SHORT_FORM_BEFORE.search(text, max(0, word_end - _SHORT_FORM_REACH), end)


def _is_name_list(parts: list[str]) -> bool:
    """"(MedQA, MedMCQA, PubMedQA)", "(GPT, Llama, and Qwen)": the comma-separated `parts` of a bracket
    list names, so the first is an example of the words before it, not their short form (a semicolon
    adds something else: "Korean College Scholastic Ability Test (KCSAT; Suneung)")."""
    if len(parts) < 2:
        return False
    second = re.sub(r"^(?:and|or)\s+", "", parts[1].strip())
    return " " not in second and any(c.isupper() for c in second) and second[:1].isalpha()


def find_acronyms(text: str) -> Iterator[AcronymDefinition]:
    """Every "long form (SF)" and "SF (long form)" definition in `text`."""
    for match in _PAREN.finditer(text):
        inner = match.group(1).strip()
        inner_start = match.start(1) + match.group(1).index(inner) if inner else match.start(1)
        # "long form (SF)" or "long form (SF; ...)" / "(SF, ...)", not the first of a list "(A, B, C)"
        short = re.split(r"[;,]\s", inner)[0].strip()
        if is_short_form(short) and " " not in short and not _is_name_list(inner.split(", ")):
            found = _long_form_before(text, match.start(), short)
            if found:
                yield AcronymDefinition(short, inner_start, found[1], found[0])
                continue
        # "SF (long form)"
        before = _short_form_before(text, match.start())
        if before and is_short_form(before.group(1)) and len(inner.split()) >= 2:
            sf = before.group(1)
            offset = _matches(sf.replace("-", ""), inner)
            if offset == 0:
                yield AcronymDefinition(sf, before.start(1), inner, inner_start)
