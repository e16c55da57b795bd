"""Names a text enumerates after a head noun that types them: "four POI datasets (Brightkite,
Foursquare, Gowalla, and Yelp)", "benchmarks such as GLUE and SuperGLUE", "models like GLM-4-9B and
LLaMA3-70B". Every item of such a list must be name-shaped (a capital or a digit in each word, not
a number or a size), or the list is not taken: "LLMs: Are they Reasoning, Repeating, or Just Biased" names nothing.
Also names coordinated before a plural dataset or benchmark noun ("the CUB and Visual Genome datasets"),
which only type names found otherwise."""

from __future__ import annotations

import re
from collections.abc import Iterator

# The head noun before the list, and the type it gives the list's items.
_HEAD_TYPES = {
    "datasets": "dataset", "dataset": "dataset", "data sets": "dataset", "corpora": "dataset",
    "collections": "dataset",
    "benchmarks": "benchmark", "suites": "benchmark", "test sets": "benchmark", "evaluation sets": "benchmark",
    "testbeds": "benchmark",
    "models": "model", "LLMs": "model", "VLMs": "model", "MLLMs": "model", "LMs": "model",
    "methods": "method", "baselines": "method", "algorithms": "method",
    "tasks": "task",
}
_HEAD = "|".join(sorted((re.escape(head).replace(r"\ ", r"\s") for head in _HEAD_TYPES), key=len, reverse=True))
# A word of a name: a capital or a digit in it; a final full stop ends the sentence, not the word.
_WORD = r"(?=[\w\-./+~@']*[A-Z0-9])[A-Za-z0-9][\w\-./+~@']*(?<!\.)"
_ITEM = rf"{_WORD}(?:[ \t]{_WORD}){{0,3}}"
_INTRO = r"(?:\s*\(\s*|\s*:\s*|,?\s+(?:including|such as|namely|specifically|like|e\.g\.,?|i\.e\.,?)\s+)"
# What a head noun may be "of" or "for" before its list: "datasets of HAR (UCI-HAR, WISDM, ...)".
# Not when the topic is itself a head noun: "benchmarks for LLMs (GPT-4o, Llama-3)" lists the LLMs.
_HEAD_WORDS = frozenset(word for head in _HEAD_TYPES for word in (head, head.lower()) if " " not in head) | {
    "model", "method", "task", "benchmark", "llm", "llms", "language", "data"}
_TOPIC_WORD = rf"(?!(?:{'|'.join(sorted(_HEAD_WORDS, key=len, reverse=True))})\b)[\w\-]+"
_TOPIC = rf"(?:\s+(?:of|for)\s+{_TOPIC_WORD}(?:\s{_TOPIC_WORD})?)?"
_LIST = re.compile(rf"\b(?P<head>{_HEAD}){_TOPIC}{_INTRO}(?:e\.g\.,?\s*|i\.e\.,?\s*)?"
                   rf"(?P<items>{_ITEM}(?:\s*,\s*{_ITEM})*,?\s+(?:and|or)\s+{_ITEM}|{_ITEM}(?:\s*,\s*{_ITEM})+)")
_CONJUNCTION = re.compile(r"\s(?:and|or)\s")
_SEPARATOR = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+")
# Sizes, years, numerals, and a phrase after an indefinite article ("Vision LLMs: A Benchmark and ...").
_NOT_A_NAME = re.compile(r"^(?:\d[\d.,]*[KMBT]?|(?:19|20)\d\d[a-z]?|[IVX]+|An?\s.*)$")


# Names coordinated before a plural resource noun: "the CUB and Visual Genome datasets", "on MNIST,
# CIFAR-10, and CIFAR-100 benchmarks". The noun types names found otherwise; it proposes none itself
# (languages and places are coordinated the same way: "Korean, English, and Chinese datasets").
_RESOURCE_HEAD_TYPES = {"datasets": "dataset", "data sets": "dataset", "corpora": "dataset", "benchmarks": "benchmark"}
_COORDINATION = re.compile(rf"(?P<items>{_ITEM}(?:\s*,\s*{_ITEM})*,?\s+(?:and|or)\s+{_ITEM})"
                           rf"\s+(?P<head>datasets|data\s+sets|corpora|benchmarks)\b")


def enumerated_names(text: str, complete: bool = False) -> Iterator[tuple[int, int, str]]:
    """(start, end, type) of each item of every enumeration after a typing head noun; `complete`: only
    of lists that end in "and"/"or" or in a closing bracket (not "datasets such as VisArgs, CRM reveals")."""
    for match in _LIST.finditer(text):
        if complete and not (_CONJUNCTION.search(match.group("items")) or text.startswith(")", match.end())):
            continue
        yield from _items(text, match, _HEAD_TYPES[re.sub(r"\s+", " ", match.group("head"))])


def coordinated_names(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, type) of each name coordinated before a plural dataset or benchmark noun."""
    for match in _COORDINATION.finditer(text):
        yield from _items(text, match, _RESOURCE_HEAD_TYPES[re.sub(r"\s+", " ", match.group("head"))])


def _items(text: str, match: re.Match, entity_type: str) -> Iterator[tuple[int, int, str]]:
    """The items of a matched list, each typed `entity_type`; none if one of them is no name."""
    offset, separators = match.start("items"), list(_SEPARATOR.finditer(match.group("items")))
    starts = [offset, *(offset + separator.end() for separator in separators)]
    ends = [*(offset + separator.start() for separator in separators), match.end("items")]
    if not any(_NOT_A_NAME.match(text[start:end]) for start, end in zip(starts, ends)):
        for start, end in zip(starts, ends):
            yield start, end, entity_type
