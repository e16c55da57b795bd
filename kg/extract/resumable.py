"""The corpus pass (kg/extract/propagation.py) resumable: it keeps what it found in each paper, so a
later pass over a grown corpus rescans only the papers a change can reach.

The result is the one `link_corpus` gives on the whole corpus; what is kept is `PassState`: the
spellings the matcher used, and per paper its own entity ids after relinking and the spellings found
in its text (before the document-frequency check). A paper is rescanned with the full matcher when it
is new or re-extracted, when relinking gave it other ids, or when its text holds a spelling whose
owner changed (a `SpellingScanner` of those spellings tells); every other paper keeps what it
found last time. Introduced names, relinking, the document-frequency check and the one-type-one-name
votes are recomputed over the whole corpus from the entities in memory: no text is read for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.extract.pipeline import harmonise
from kg.extract.propagation import (
    PROPAGATED_CONFIDENCE,
    PROPAGATED_RULE,
    IntroducedName,
    NameMatcher,
    SpellingScanner,
    _matches,
    add_propagated,
    introduced_names,
    merge_spellings,
    relink,
)
from kg.extract.recognizer import Candidate
from kg.model import TITLE_SEPARATOR, PaperEntities

Found = tuple[int, int, str]  # (start, end, entity id) of a propagated spelling in title + separator + abstract


@dataclass
class PaperPass:
    """What the pass found in one paper: its own entity ids after relinking, and the propagated
    spellings in its text that its own entities do not cover (before the document-frequency check)."""

    linked: list[str]
    found: list[Found]


@dataclass
class PassState:
    """What a pass keeps for the next one: the matcher's spellings (spelling -> entity id) and, in
    corpus order, each paper's `PaperPass`."""

    surfaces: dict[str, str] = field(default_factory=dict)
    papers: list[PaperPass] = field(default_factory=list)


def _candidates(item: PaperEntities, found: list[Found], names: dict[str, IntroducedName]) -> dict[str, list[Candidate]]:
    """`found` as propagation's candidates, grouped by entity in order of first occurrence."""
    text = item.paper.title + TITLE_SEPARATOR + item.paper.abstract
    grouped: dict[str, list[Candidate]] = {}
    for start, end, key in found:
        name = names[key]
        grouped.setdefault(key, []).append(Candidate(start, end, text[start:end], key, name.name, name.type,
                                                     PROPAGATED_RULE, PROPAGATED_CONFIDENCE, family=name.family))
    return grouped


def link_corpus_resumable(corpus: list[PaperEntities], previous: PassState | None = None,
                          fresh: set[int] = frozenset()) -> tuple[list[str], PassState]:
    """`link_corpus` on `corpus` (each paper's own entities, changed in place to the final ones),
    resuming from `previous`, the state of a pass over an earlier corpus whose papers are the first
    ones of this corpus; `fresh` holds the positions of earlier papers that were extracted again.
    Returns the notes on dropped names and the state for the next pass."""
    names = introduced_names(corpus)
    relink(corpus, names, merge_spellings(names))
    matcher = NameMatcher(names)
    surfaces = matcher.surfaces
    kept = previous.papers if previous is not None else []
    detector = None
    if previous is not None:
        changed = {s for s in surfaces.keys() | previous.surfaces.keys() if surfaces.get(s) != previous.surfaces.get(s)}
        detector = SpellingScanner(dict.fromkeys(changed, ""))  # none changed: it finds nothing, at once
    state = PassState(surfaces)
    per_paper: list[dict[str, list[Candidate]]] = []  # what each paper's text holds, as propagation's candidates
    for index, item in enumerate(corpus):
        linked = [ref.id for ref in item.entities]
        old = kept[index] if index < len(kept) and index not in fresh else None
        if old is None or old.linked != linked or (
                detector is not None and detector.occurs_in(item.paper.title + TITLE_SEPARATOR + item.paper.abstract)):
            per_paper.append(_matches(item, matcher))
            found = [(c.start, c.end, key) for key, candidates in per_paper[-1].items() for c in candidates]
        else:
            found = old.found
            per_paper.append(_candidates(item, found, names))
        state.papers.append(PaperPass(linked, found))
    notes = add_propagated(corpus, per_paper, names)
    harmonise(corpus)
    return notes, state
