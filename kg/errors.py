"""The errors paper-kg raises for its users: one base class, a few kinds, each message one line.

The CLI catches `KgError` in one place (`kg.cli.app`) and prints its message as one line with exit
status 1. Anything else that escapes is a bug and keeps its traceback.
"""

from __future__ import annotations


class KgError(Exception):
    """A failure the user can act on; `str(error)` is one clear line."""


class InputError(KgError):
    """An input that cannot be read at all: a missing file, an unknown format, a bad graph file."""


class NotFound(KgError, LookupError):
    """A name or paper that is not in the graph; carries the closest names for the message."""

    def __init__(self, what: str, query: str, suggestions: list[str]) -> None:
        hint = f" Closest: {', '.join(suggestions)}." if suggestions else ""
        super().__init__(f"No {what} matches {query!r}.{hint}")
        self.suggestions = suggestions


class Neo4jError(KgError):
    """Neo4j unreachable, wrong credentials, a connection lost, a failed load or query."""


class ServerError(KgError):
    """The local Neo4j server cannot be built, started or stopped."""


class ClusterError(KgError):
    """Dask not installed, a scheduler that does not answer or has no workers, inputs the workers cannot read."""


class ModelError(KgError):
    """The extraction model is missing or cannot be read; the message names the file and `kg train`."""


class OutputError(KgError):
    """An output path that cannot be written (a file where a directory is wanted, no permission, a full disk);
    `reason` is the bare cause (e.g. "No space left on device") when there is one."""

    reason: str
