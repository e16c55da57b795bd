"""Non-overlapping character ranges with a logarithmic overlap test (long texts stay linear-ish)."""

from __future__ import annotations

import bisect


class Intervals:
    """A set of disjoint [start, end) ranges, kept sorted."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) shares a character with a range in the set."""
        index = bisect.bisect_left(self._starts, end)  # ranges starting before `end`
        return index > 0 and self._ends[index - 1] > start

    def add(self, start: int, end: int) -> None:
        """Add a range that overlaps none in the set."""
        index = bisect.bisect_left(self._starts, start)
        self._starts.insert(index, start)
        self._ends.insert(index, end)
