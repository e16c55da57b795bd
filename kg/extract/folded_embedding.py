"""The tagger's token embedding with its mixing layer folded into lookup tables, for prediction.

spaCy's `MultiHashEmbed` gives each token one 64-wide row sum per attribute (four hashed rows of that
attribute's table) and its static vector through a linear layer, concatenates them, and mixes the
concatenation with a Maxout layer: a linear map into 3 x 64 pieces, the best piece, a layer norm. The
linear map distributes over the concatenation and over the row sums, so each table can be multiplied by
its block of the mixing weights once: a token then costs 21 row additions instead of a 384 x 192 matrix
product. The numbers are the model's up to float rounding (about 1e-6); the embedding takes half the
time, the tagger a third less. Training still runs the model as spaCy built it.
"""

from __future__ import annotations

import zlib

import numpy as np
from spacy.attrs import ORTH
from spacy.tokens import Doc
from spacy.vectors import Mode, Vectors
from thinc.api import Model

ROWS_PER_KEY = 4  # HashEmbed sums this many hashed rows of its table per key
# the layers of spaCy's MultiHashEmbed, the only embedding folded; `_ONE_EACH` occur once in it
_MULTI_HASH_EMBED_LAYERS = ("extract_features", "list2ragged", "ints-getitem", "hashembed", "static_vectors",
                            "maxout", "layernorm", "dropout", "ragged2list")
_ONE_EACH = ("extract_features", "maxout", "layernorm")


class FoldedEmbedding:
    """`embed.predict(docs)` of a `MultiHashEmbed` model, by table look-ups (see the module docstring).

    The tables follow the weights: they are rebuilt when a checksum of the weights (or the vectors
    table) changes, as it does during training."""

    def __init__(self, embed: Model, hash_embeds: list[Model], static_vectors: Model | None, mix: Model,
                 norm: Model, features: Model) -> None:
        self.embed, self.hash_embeds, self.static_vectors = embed, hash_embeds, static_vectors
        self.mix, self.norm, self.features = mix, norm, features
        self._checksum: tuple | None = None
        self._table = np.zeros((0, 0), dtype=np.float32)
        self._offsets: list[int] = []

    @classmethod
    def of(cls, embed: Model) -> FoldedEmbedding | None:
        """The folded form of a `MultiHashEmbed` model, or None for any other embedding."""
        leaves = [node for node in embed.walk() if not node.layers]
        if any(node.name not in _MULTI_HASH_EMBED_LAYERS for node in leaves):
            return None
        named = {name: [node for node in leaves if node.name == name] for name in _MULTI_HASH_EMBED_LAYERS}
        hash_embeds = named["hashembed"]
        if ([node.attrs.get("column") for node in hash_embeds] != list(range(len(hash_embeds))) or not hash_embeds
                or len(named["static_vectors"]) > 1 or any(len(named[name]) != 1 for name in _ONE_EACH)):
            return None
        static = named["static_vectors"][0] if named["static_vectors"] else None
        return cls(embed, hash_embeds, static, named["maxout"][0], named["layernorm"][0],
                   named["extract_features"][0])

    def reads(self, vectors: Vectors) -> bool:
        """Whether the static vectors are a plain table (floret's hashed vectors are not folded)."""
        return self.static_vectors is None or vectors.mode == Mode.default

    def __call__(self, docs: list[Doc]) -> list[np.ndarray]:
        """Each doc's (tokens, width) embedding, as `embed.predict(docs)` gives it."""
        vectors = docs[0].vocab.vectors
        self._fold(vectors)
        ids = np.ascontiguousarray(np.vstack(self.features.predict(docs)), dtype=np.uint64)
        keys = np.empty((len(ids), ROWS_PER_KEY * len(self.hash_embeds) + (self.static_vectors is not None)),
                        dtype=np.uint32)
        ops = self.embed.ops
        offsets = self._offsets[:len(self.hash_embeds)]
        for column, (hash_embed, offset) in enumerate(zip(self.hash_embeds, offsets, strict=True)):
            rows = ops.hash(np.ascontiguousarray(ids[:, column]), hash_embed.attrs["seed"])
            rows %= hash_embed.get_param("E").shape[0]
            keys[:, ROWS_PER_KEY * column:ROWS_PER_KEY * (column + 1)] = rows + offset
        if self.static_vectors is not None:
            key_attr = getattr(vectors, "attr", ORTH)
            rows = vectors.find(keys=ops.flatten([doc.to_array(key_attr) for doc in docs]))
            # a word without a vector adds the table's last row, zeros
            keys[:, -1] = np.where(rows < 0, len(self._table) - 1, rows + self._offsets[len(self.hash_embeds)])
        mixed = ops.gather_add(self._table, keys)
        mixed += self.mix.get_param("b").reshape(-1)
        n_out, n_pieces, _ = self.mix.get_param("W").shape
        best, _ = ops.maxout(mixed.reshape(len(mixed), n_out, n_pieces))
        embedded = self.norm.predict(best)
        return np.split(embedded, np.cumsum([len(doc) for doc in docs])[:-1])

    def _fold(self, vectors: Vectors) -> None:
        """Multiply every table by its block of the mixing weights, unless the weights are unchanged."""
        weights = [node.get_param("E") for node in self.hash_embeds]
        weights += [self.mix.get_param("W"), self.mix.get_param("b")]
        if self.static_vectors is not None:
            weights.append(self.static_vectors.get_param("W"))
        checksum = (*(zlib.crc32(np.ascontiguousarray(weight).data) for weight in weights),
                    id(vectors.data), vectors.data.shape)
        if checksum == self._checksum:
            return
        ops = self.embed.ops
        mix = self.mix.get_param("W")
        mix = mix.reshape(-1, mix.shape[-1])  # (pieces of all outputs, concatenated width)
        tables, start = [], 0
        for node in self.hash_embeds:
            table = node.get_param("E")
            tables.append(ops.gemm(table, np.ascontiguousarray(mix[:, start:start + table.shape[1]]), trans2=True))
            start += table.shape[1]
        if self.static_vectors is not None:
            projection = self.static_vectors.get_param("W")  # (width, vector width)
            folded = ops.gemm(np.ascontiguousarray(mix[:, start:start + projection.shape[0]]), projection)
            tables.append(ops.gemm(np.ascontiguousarray(vectors.data, dtype=np.float32), folded, trans2=True))
            tables.append(np.zeros((1, mix.shape[0]), dtype=np.float32))
        self._offsets = [int(offset) for offset in np.cumsum([0, *(len(table) for table in tables[:-1])])]
        self._table = np.ascontiguousarray(np.vstack(tables), dtype=np.float32)
        self._checksum = checksum
