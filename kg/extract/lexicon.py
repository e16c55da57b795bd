"""The lexicon of known ML entities: loading the committed lists and looking surface forms up."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.extract.shapes import is_generic, split_variant
from kg.keys import name_key
from kg.model import ENTITY_TYPES

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"
# Loaded in this order; a later file overrides an earlier one for the same canonical key.
# ito.jsonl (Papers-with-Code names via OpenBioLink/ITO, the widest and least certain list) comes first.
LEXICON_FILES = ("ito.jsonl", "harvested.jsonl", "curated.jsonl")
GENERATED_FILES = frozenset({"ito.jsonl", "harvested.jsonl"})  # made by scripts from field sources, not by hand
# How far a lexicon hit is trusted, by file; any other file 0.85.
FILE_CONFIDENCE = {"curated.jsonl": 0.95, "ito.jsonl": 0.8}
# Surface forms whose lookup answer a lexicon remembers (forgotten all at once when full or changed).
LOOKUP_MEMORY = 1 << 17
_UNSEEN = object()
# Two or more lower-case words without digits: a description, unless a model is spelled so.
_DESCRIPTION = re.compile(r"[a-z]+(?:-[a-z]+)*(?: [a-z]+(?:-[a-z]+)*)+")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case words common in ML abstracts (generated from the unlabelled corpus; see
    scripts/common_words.py) plus English function words."""
    text = (LEXICON_DIR / "common_words.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@dataclass
class LexiconEntry:
    """One known entity: canonical name, type, every alias, optional family and provenance."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    family: str | None = None
    case_sensitive: bool = False
    source: str = ""
    confidence: float = 0.9

    @property
    def key(self) -> str:
        return name_key(self.name)

    @property
    def surfaces(self) -> list[str]:
        return [self.name, *self.aliases]

    def spellings(self, surface: str) -> list[str]:
        """The name and aliases with the key of `surface` ("LLaMA-2", "Llama 2")."""
        key = name_key(surface)
        return [spelling for spelling in self.surfaces if name_key(spelling) == key]


def _acronym_spelled(surface: str) -> bool:
    """Most letters capitals: "CAsT", "PoT", "GRPO", not "StarCoder"."""
    letters = [c for c in surface if c.isalpha()]
    return 2 * sum(c.isupper() for c in letters) > len(letters)


_ASCII_SYMBOLS = re.compile(r"[+<=>|~]")  # the ASCII characters of the categories So and Sm


def _has_symbol(surface: str) -> bool:
    """Whether a surface holds a symbol character (Unicode categories So, Sm): "🤗", "∞", "+"."""
    if surface.isascii():
        return _ASCII_SYMBOLS.search(surface) is not None
    return any(unicodedata.category(c) in ("So", "Sm") for c in surface)


class Lexicon:
    """Surface forms -> entries, matched on canonical keys (case and punctuation folded).

    An entry marked case_sensitive (a name that is also an ordinary word, like "Falcon") matches only
    a surface spelled as one of its aliases, and never a lower-case word; all others match any spelling
    with the same key, except that an all-lower-case surface never matches an entry whose every alias
    has a capital, a lower-case word matches no entry but a model when every alias of its key is spelled
    as an acronym ("cast" is not "CAsT"; "starcoder" is StarCoder, "gpt" GPT), a common word matches only
    an alias spelled like it but for case ("Multiple" is not MultiPL-E), and a lower-case phrase of plain
    words matches a model only through a lower-case alias with the same key.
    """

    def __init__(self, entries: list[LexiconEntry] | None = None) -> None:
        self.entries: dict[str, LexiconEntry] = {}
        self._by_surface_key: dict[str, str] = {}
        self._key_prefixes: set[str] = set()
        self._looked_up: dict[str, LexiconEntry | None] = {}
        self.version = 0  # counts the entries added: what callers remember of the lexicon is stale when it moved
        for entry in entries or []:
            self.add(entry)

    def add(self, entry: LexiconEntry) -> None:
        """Add or replace an entry (same canonical key); its aliases point at it."""
        if entry.type not in ENTITY_TYPES or not entry.key:
            return
        old = self.entries.get(entry.key)
        if old is not None:
            entry.aliases = sorted(set(entry.aliases) | set(old.surfaces) - {entry.name})
        self.entries[entry.key] = entry
        self._looked_up.clear()
        self.version += 1
        for surface in entry.surfaces:
            if _has_symbol(surface):
                continue  # "🤗 Datasets" and "∞-gram" would otherwise read as the words "datasets", "gram"
            key = name_key(surface)
            if key and (key not in self._by_surface_key or key == entry.key):
                self._by_surface_key[key] = entry.key
                if key not in self._key_prefixes:  # else its every prefix is in already
                    self._key_prefixes.update(key[:i] for i in range(1, len(key) + 1))

    def may_extend(self, key: str) -> bool:
        """Whether some surface form's key starts with `key` (so a longer match may follow)."""
        return key in self._key_prefixes

    def has_key(self, key: str) -> bool:
        """Whether some surface form has exactly this key (`lookup` may still refuse a spelling)."""
        return key in self._by_surface_key

    def lookup(self, surface: str) -> LexiconEntry | None:
        """The entry a surface form denotes, or None."""
        entry = self._looked_up.get(surface, _UNSEEN)
        if entry is not _UNSEEN:
            return entry
        if len(self._looked_up) >= LOOKUP_MEMORY:
            self._looked_up.clear()
        entry = self._looked_up[surface] = self._lookup(surface)
        return entry

    def _lookup(self, surface: str) -> LexiconEntry | None:
        entry_key = self._by_surface_key.get(name_key(surface))
        if entry_key is None:
            return None
        entry = self.entries[entry_key]
        if entry.case_sensitive:
            if surface.isalpha() and surface.islower():
                return None  # the ordinary word ("codec"), even where a lower-case identifier is an alias
            return entry if surface in entry.surfaces or surface.replace("-", " ") in entry.surfaces else None
        if surface.islower() and not any(s.islower() for s in entry.surfaces):
            return None  # "of a" is not OFA, "pile" is not The Pile
        if surface.isalpha() and surface.islower() and entry.type != "model":  # models: "gpt", "gpt-4o"
            spelled = entry.spellings(surface)
            if spelled and all(_acronym_spelled(s) for s in spelled):
                return None  # the verb "cast" is not TREC CAsT, though its alias "trec-cast" is lower-case
        if surface.lower() in common_words() and not any(s.lower() == surface.lower() for s in entry.surfaces):
            return None  # "Multiple" is not MultiPL-E
        if entry.type == "model" and _DESCRIPTION.fullmatch(surface) and not any(
                s.islower() for s in entry.spellings(surface)):
            return None  # "a generative pre-trained transformer" describes; it does not name GPT
        return entry

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, key: str) -> bool:
        return key in self.entries


def read_lexicon_file(path: Path) -> list[LexiconEntry]:
    """Entries of one JSONL lexicon file."""
    entries = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                family = record.get("family")
                if family and not name_key(record["name"]).startswith(name_key(family)):
                    family = None  # only sized/versioned variants ("Llama 2 7B" of "Llama 2") are linked
                entry = LexiconEntry(
                    name=record["name"], type=record["type"], aliases=list(record.get("aliases", [])),
                    family=family, case_sensitive=bool(record.get("case_sensitive", False)),
                    source=record.get("source", path.name),
                    confidence=FILE_CONFIDENCE.get(path.name, 0.85))
                entries.append(entry)
                entries.extend(split_sized_aliases(entry))
    return entries


def split_sized_aliases(entry: LexiconEntry) -> list[LexiconEntry]:
    """Aliases that are sized/versioned variants ('BERT-base' of BERT) become entries of their own,
    linked to the family: distinct versions and sizes are distinct entities."""
    variants = []
    for alias in list(entry.aliases):
        parts = split_variant(alias)
        if parts and name_key(parts[0]) in {name_key(s) for s in entry.surfaces if s != alias}:
            entry.aliases.remove(alias)
            variants.append(LexiconEntry(name=alias, type=entry.type, family=entry.name,
                                         case_sensitive=entry.case_sensitive, source=entry.source,
                                         confidence=entry.confidence))
    return variants


def load_lexicon(directory: Path = LEXICON_DIR, files: tuple[str, ...] = LEXICON_FILES) -> Lexicon:
    """The committed lexicon: harvested names first, then the curated list overriding them. A generated
    record named by a generic concept ("Covid-19", "arXiv", "Alibaba": the disease, the archive and the
    company in an abstract, whatever a package calls its data) is left out."""
    lexicon = Lexicon()
    for filename in files:
        path = directory / filename
        if path.exists():
            for entry in read_lexicon_file(path):
                if filename in GENERATED_FILES and is_generic(entry.name):
                    continue
                lexicon.add(entry)
    return lexicon
