"""Canonical keys: the one normalisation every stage (extractor, graph, queries, eval) agrees on."""

from __future__ import annotations

import re
from functools import lru_cache

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 18)  # the extractor keys the same words over and over
def name_key(text: str) -> str:
    """Casefold and drop every non-alphanumeric character: 'LLaMA-2' and 'Llama 2' -> 'llama2'.

    queries/*.cypher compute the same key in Cypher (lower-case, keep letters and digits).
    """
    return _NON_ALNUM.sub("", text.casefold())


def entity_node_id(key: str) -> str:
    """The graph node id of the entity whose canonical key is `key`."""
    return f"entity:{key}"


def paper_node_id(paper_id: str) -> str:
    """The graph node id of a paper."""
    return f"paper:{paper_id}"
