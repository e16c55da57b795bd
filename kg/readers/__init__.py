"""Read stage: input files -> unique Papers (format detection, one reader module per format)."""

from kg.readers.base import InputError, ReadIssue, ReadResult, normalise_title, paper_id_for
from kg.readers.detect import NoPapersError, read_papers, require_papers

__all__ = ["InputError", "ReadIssue", "ReadResult", "normalise_title", "paper_id_for", "read_papers",
           "NoPapersError", "require_papers"]
