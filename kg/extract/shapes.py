"""Surface shapes: what a name looks like, and how its type shows in the words around it."""

from __future__ import annotations

import re

from kg.extract.vocabulary import COMPOUND_SUFFIXES, GENERIC_NAMES, TYPE_HEADS, VARIANT_SUFFIX_PATTERN
from kg.keys import name_key

# A word: letters/digits joined by inner hyphens, slashes, decimal points or plus signs ("LLaMA-2-7B", "GPT-3.5").
# (Runs of letters and digits between the joiners, which the regex engine matches fastest.)
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9+]*(?:(?:[-/'’^](?=[A-Za-z0-9])|(?<=\d)\.(?=\d))[A-Za-z0-9+]*)*\+*")
_UNIT = re.compile(r"^\d+(?:\.\d+)?[A-Za-z]{0,2}$|^[A-Za-z]\d*$|^\d+[a-z]+$")
# Parameter counts and size words, not data sizes ("SynthQA-10k/50k").
_PARAMETER_SIZE = re.compile(r"\d+(?:\.\d+)?[BMTbmt]|small|medium|base|large|xl|xxl")
_SIZED = re.compile(rf"^(?P<family>.*[A-Za-z].*?)[-\s](?:{_PARAMETER_SIZE.pattern})$")
_VARIANT_TAIL = re.compile(rf"^(?P<family>.+?)[-\s](?P<variant>{VARIANT_SUFFIX_PATTERN}(?:[-\s]{VARIANT_SUFFIX_PATTERN})*)$")
_ROMAN = re.compile(r"^[IVX]+$")


# A piece cut from a name: a version, size or tier after the family name was lost ("2.5 Flash", "4o",
# "7B-Instruct", "3.1-8B", "4B--8B models", "v2").
_NUMBER_PIECE = r"(?:\d[\d.,]*[A-Za-z]?|[A-Z]\d+[BMK]|bit|Pro|Flash|Instruct|Chat|Base|Turbo|Lite|Mini|Plus|Max|Ultra|" \
                r"models?|parameters?)"
_FRAGMENT = re.compile(rf"^(?:\d[\d.,]*[A-Za-z]?|[vV]\d+(?:\.\d+)*)(?:[-–\s]+{_NUMBER_PIECE})*$")


def is_fragment(text: str) -> bool:
    """A piece of a name, not a name: only numbers, sizes and tiers."""
    return bool(_FRAGMENT.search(text))


def is_generic(text: str) -> bool:
    """Generic concepts, fields, metrics, organisations: never entities."""
    key = name_key(text)
    return key in GENERIC_NAMES or (key.endswith("s") and key[:-1] in GENERIC_NAMES) or len(key) < 2


def part_is_name_shaped(part: str) -> bool:
    """One hyphen-part that looks like a name: inner capitals, all capitals, or letters with digits."""
    letters = sum(c.isalpha() for c in part)
    if letters < 2 or _UNIT.match(part) or _ROMAN.match(part):
        return False
    inner_caps = any(c.isupper() for c in part[1:]) and any(c.islower() for c in part)
    all_caps = part.isupper() and letters >= 2
    alnum_mix = any(c.isdigit() for c in part) and letters >= 2 and part[0].isalpha()
    return inner_caps or all_caps or alnum_mix


def is_name_shaped(token: str) -> bool:
    """A token that looks like a proper ML name rather than an English word (for discovery)."""
    parts = [p for p in re.split(r"[-/]", token) if p]
    if not parts or is_generic(token):
        return False
    if parts[-1].lower() in COMPOUND_SUFFIXES:
        return False
    variant = split_variant(token)
    if variant and variant[0][0].isupper() and len(variant[0]) >= 2:
        return True
    return any(part_is_name_shaped(p) and not is_generic(p) for p in parts)


def is_plural_acronym(token: str) -> bool:
    """'TAGs', 'DocIDs': a plural of an abbreviation names a class of things, not one entity."""
    return len(token) >= 3 and token.endswith("s") and token[-2].isupper()


def strip_compound_suffix(token: str) -> str:
    """'BERT-based' -> 'BERT'; 'GPT-4-generated' -> 'GPT-4'; other tokens unchanged."""
    parts = token.split("-")
    while len(parts) > 1 and parts[-1].lower() in COMPOUND_SUFFIXES:
        parts.pop()
    return "-".join(parts)


def size_list_family(token: str) -> str | None:
    """'InternVL-2.0' for 'InternVL-2.0-4B/8B/26B': a family written with a list of its parameter sizes."""
    first, *sizes = token.split("/")
    match = _SIZED.match(first)
    if match is None or not sizes or not all(_PARAMETER_SIZE.fullmatch(size) for size in sizes):
        return None
    return match.group("family")


def split_variant(name: str) -> tuple[str, str] | None:
    """('LLaMA-2', '7B') for 'LLaMA-2-7B'; None when the name has no size/version suffix."""
    match = _VARIANT_TAIL.match(name)
    if not match or not any(c.isalpha() for c in match.group("family")):
        return None
    return match.group("family"), match.group("variant")


def head_type(words: list[str]) -> str | None:
    """The entity type a head noun phrase announces ("benchmark" -> benchmark), or None."""
    lowered = [w.lower() for w in words]
    for size in (2, 1):
        for i in range(len(lowered) - size + 1):
            phrase = " ".join(lowered[i:i + size])
            if phrase in TYPE_HEADS:
                return TYPE_HEADS[phrase]
    return None


# Head nouns that, ending a name, say what it is whatever the words around it ("Symbolic Behaviour
# Benchmark", "The MPB Corpus"); not "collection", which also ends method names ("Test Collection").
_RESOURCE_HEADS = frozenset({"benchmark", "benchmarks", "suite", "leaderboard", "testbed", "arena", "challenge",
                             "dataset", "datasets", "corpus", "corpora", "treebank"})


def resource_head_type(name: str) -> str | None:
    """Dataset or benchmark when the name's own last word is such a head noun, else None."""
    words = name.split()
    last = words[-1].lower() if len(words) >= 2 else ""
    return TYPE_HEADS[last] if last in _RESOURCE_HEADS else None


def edge_type(words: list[str], at_end: bool) -> str | None:
    """The type announced by a head noun right at one edge of some words: the first words after a
    name ("X language model") or the last before it ("the benchmark X")."""
    lowered = [w.lower() for w in (words[-2:] if at_end else words[:2])]
    if not lowered:
        return None
    edge_word = lowered[-1] if at_end else lowered[0]
    for phrase in (" ".join(lowered), edge_word):
        if phrase in TYPE_HEADS:
            return TYPE_HEADS[phrase]
    return None


_SHAPE_TYPES = (
    (re.compile(r"(?:Bench|bench|BENCH|Eval|EVAL|Arena|Leaderboard|Suite)$"), "benchmark"),
    (re.compile(r"[-_ ]\d+(?:\.\d+)?[KM]$|(?:Corpus|Set|Bank|Data|DB)$"), "dataset"),
    (re.compile(r"(?:LLM|LM|GPT|BERT|BART|T5|Llama|LLaMA|VLM|-\d+(?:\.\d+)?[Bb])$"), "model"),
)


def shape_type(name: str) -> str | None:
    """A type some names wear on their sleeve: 'ToolBench' a benchmark, 'VisCon-100K' a dataset."""
    for pattern, entity_type in _SHAPE_TYPES:
        if pattern.search(name):
            return entity_type
    return None
