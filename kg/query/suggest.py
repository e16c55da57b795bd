"""'Did you mean' suggestions, shared by both query backends: the closest names and titles to a query."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from kg.keys import name_key


def closest_surfaces(query: str, names_and_aliases: Iterable[tuple[str, Iterable[str]]], limit: int = 5) -> list[str]:
    """Names whose name or alias is most like `query` (close spelling first, then containing its key)."""
    surfaces: dict[str, str] = {}
    for name, aliases in names_and_aliases:
        for surface in (name, *aliases):
            surfaces.setdefault(surface.casefold(), name)
    matches = difflib.get_close_matches(query.casefold(), list(surfaces), n=limit * 3, cutoff=0.6)
    key = name_key(query)
    contains = [s for s in surfaces if key and len(key) >= 3 and key in name_key(s)]
    return list(dict.fromkeys(surfaces[m] for m in [*matches, *sorted(contains, key=len)]))[:limit]


def closest_titles(query: str, titles: Iterable[str]) -> list[str]:
    """Paper titles most like `query`, for 'did you mean' messages."""
    return difflib.get_close_matches(query, list(dict.fromkeys(titles)), n=3, cutoff=0.5)
