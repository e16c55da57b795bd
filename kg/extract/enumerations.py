"""Names a text enumerates after a head noun that types them: "four POI datasets (Brightkite,
Foursquare, Gowalla, and Yelp)", "benchmarks such as GLUE and SuperGLUE", "models like GLM-4-9B and
LLaMA3-70B". Every item of such a list must be name-shaped (a capital or a digit in each word, not
a number or a size), or the list is not taken: "LLMs: Are they Reasoning, Repeating, or Just Biased" names nothing."""

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
_LIST = re.compile(rf"\b(?P<head>{_HEAD}){_INTRO}(?:e\.g\.,?\s*|i\.e\.,?\s*)?"
                   rf"(?P<items>{_ITEM}(?:\s*,\s*{_ITEM})*,?\s+(?:and|or)\s+{_ITEM}|{_ITEM}(?:\s*,\s*{_ITEM})+)")
_SEPARATOR = re.compile(r"\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or)\s+")
# Sizes, years, numerals, and a phrase after an indefinite article ("Vision LLMs: A Benchmark and ...").
_NOT_A_NAME = re.compile(r"^(?:\d[\d.,]*[KMBT]?|(?:19|20)\d\d[a-z]?|[IVX]+|An?\s.*)$")


def enumerated_names(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, type) of each item of every enumeration after a typing head noun."""
    for match in _LIST.finditer(text):
        entity_type = _HEAD_TYPES[re.sub(r"\s+", " ", match.group("head"))]
        offset, separators = match.start("items"), list(_SEPARATOR.finditer(match.group("items")))
        starts = [offset, *(offset + separator.end() for separator in separators)]
        ends = [*(offset + separator.start() for separator in separators), match.end("items")]
        if not any(_NOT_A_NAME.match(text[start:end]) for start, end in zip(starts, ends)):
            for start, end in zip(starts, ends):
                yield start, end, entity_type
