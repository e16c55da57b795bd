"""Multinomial logistic regression over sparse named features, with numpy-only inference and a small
JSON weights file: the shared core of the trained role and type classifiers. Fitting (`fit`) needs
scikit-learn, from the `train` extra."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from kg.errors import ModelError

REBUILD_COMMAND = "kg train"
DECIMALS = 5  # weights are stored with this many decimals


class ModelFileError(ModelError):
    """A classifier's weights file is missing, unreadable or not the expected model."""


class SparseLinearModel:
    """Weights per feature name and class; `scores` gives class probabilities for one feature dict.
    Subclasses name their file `FORMAT`, their `KIND` (for errors) and the `CLASSES` they must have."""

    FORMAT = "paper-kg-linear-model"
    FORMAT_VERSION = 1
    KIND = "linear model"
    CLASSES: tuple[str, ...] = ()

    def __init__(self, features: list[str], coef: np.ndarray, intercept: np.ndarray,
                 classes: Sequence[str] | None = None, meta: dict | None = None) -> None:
        self.classes = tuple(classes or self.CLASSES)
        self.features = list(features)
        self.index = {name: i for i, name in enumerate(self.features)}
        self.coef = np.asarray(coef, dtype=np.float64).reshape(len(self.features), len(self.classes))
        self.intercept = np.asarray(intercept, dtype=np.float64).reshape(len(self.classes))
        self.meta = dict(meta or {})
        self._blocks: dict[str, np.ndarray] = {}

    def scores(self, features: dict[str, float], dense: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """Class probabilities (in `self.classes` order); unknown feature names are ignored. `dense`:
        blocks of features as vectors, block `name` standing for the features `name0`, `name1`, ..."""
        return self.scores_many([features], [dense or {}])[0]

    def scores_many(self, rows: Sequence[dict[str, float]],
                    dense: Sequence[dict[str, np.ndarray]] | None = None) -> np.ndarray:
        """`scores` of many rows (one paper's entities) at once, one row of probabilities each: the numpy
        work is done once for all of them."""
        logits = np.tile(self.intercept, (len(rows), 1))
        get = self.index.get
        columns: list[int] = []
        values: list[float] = []
        starts: list[int] = []  # where each row with known features starts in `columns`
        filled: list[int] = []  # those rows
        for row_number, features in enumerate(rows):
            start = len(columns)
            for column, value in zip(map(get, features), features.values()):
                if column is not None:
                    columns.append(column)
                    values.append(value)
            if len(columns) > start:
                starts.append(start)
                filled.append(row_number)
        if columns:
            logits[filled] += np.add.reduceat(self.coef[columns] * np.asarray(values)[:, None], starts, axis=0)
        blocks = dense or ()
        for name in dict.fromkeys(name for block in blocks for name in block):
            vectors = [block.get(name) for block in blocks]
            matrix = np.zeros((len(rows), len(next(vector for vector in vectors if vector is not None))))
            for row_number, vector in enumerate(vectors):
                if vector is not None:
                    matrix[row_number] = vector
            logits += matrix @ self._block(name, matrix.shape[1])
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return exp / exp.sum(axis=1, keepdims=True)

    def _block(self, name: str, width: int) -> np.ndarray:
        """The weights of the dense block `name` as a (width, classes) matrix (zero where none is stored)."""
        weights = self._blocks.get(name)
        if weights is None or len(weights) != width:
            weights = np.zeros((width, len(self.classes)))
            for i in range(width):
                row = self.index.get(f"{name}{i}")
                if row is not None:
                    weights[i] = self.coef[row]
            self._blocks[name] = weights
        return weights

    # -- serialisation ----------------------------------------------------------------------

    def extra_fields(self) -> dict:
        """Fields a subclass stores beside the weights."""
        return {}

    def to_dict(self) -> dict:
        return {
            "format": self.FORMAT, "version": self.FORMAT_VERSION, "classes": list(self.classes),
            **self.extra_fields(), "meta": self.meta,
            "intercept": [round(float(x), DECIMALS) for x in self.intercept],
            "weights": {name: [round(float(x), DECIMALS) for x in self.coef[i]] for i, name in enumerate(self.features)},
        }

    def to_disk(self, path: str | Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=False) + "\n",
                        encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict):  # noqa: ANN206 - the subclass
        classes = data["classes"]
        weights = data["weights"]
        features = list(weights)
        coef = np.array([weights[name] for name in features], dtype=np.float64).reshape(len(features), len(classes))
        return cls(features, coef, np.array(data["intercept"], dtype=np.float64), classes, meta=data.get("meta"))

    @classmethod
    def from_disk(cls, path: str | Path):  # noqa: ANN206 - the subclass
        """Load weights written by `to_disk`; ModelFileError (one line naming the file) if it is missing,
        unreadable or not this kind of model."""
        path = Path(path)
        hint = f"rebuild it with `{REBUILD_COMMAND}`"
        what = f"{cls.KIND} file {path}"
        try:
            raw = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ModelFileError(f"{what} is missing; {hint}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise ModelFileError(f"{what} cannot be read ({error.__class__.__name__}); {hint}") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            raise ModelFileError(f"{what} is corrupt (not valid JSON); {hint}") from None
        if not isinstance(data, dict) or data.get("format") != cls.FORMAT:
            raise ModelFileError(f"{what} is not a {cls.FORMAT} file; {hint}")
        if data.get("version") != cls.FORMAT_VERSION:
            raise ModelFileError(f"{what} has format version {data.get('version')!r}, "
                                 f"expected {cls.FORMAT_VERSION}; {hint}")
        try:
            model = cls.from_dict(data)
        except (KeyError, TypeError, ValueError):
            raise ModelFileError(f"{what} is corrupt (bad weights); {hint}") from None
        if set(model.classes) != set(cls.CLASSES) or not np.all(np.isfinite(model.coef)) \
                or not np.all(np.isfinite(model.intercept)):
            raise ModelFileError(f"{what} is corrupt (bad classes or weights); {hint}")
        return model


def fit(rows: Sequence[dict[str, float]], labels: Sequence[str], classes: Sequence[str], c: float,
        min_count: int, seed: int, class_weight: dict | str | None = None,
        ) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Fit the logistic regression (scikit-learn): (feature names, coefficients, intercepts), rounded as
    stored. A row's vector value is a dense block: `name` holding `v` stands for features `name0` = v[0],
    `name1` = v[1], ... Features seen in fewer than `min_count` rows are dropped; so are weights that end
    up (near) zero. One thread, so deterministic."""
    try:
        from scipy.sparse import csr_matrix
        from sklearn.linear_model import LogisticRegression
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("training a classifier needs scikit-learn: pip install 'paper-kg[train]'") from error
    rows = [_flat(row) for row in rows]
    counts: dict[str, int] = {}
    for row in rows:
        for name in row:
            counts[name] = counts.get(name, 0) + 1
    vocabulary = sorted(name for name, count in counts.items() if count >= min_count)
    index = {name: i for i, name in enumerate(vocabulary)}
    data, indices, indptr = [], [], [0]
    for row in rows:
        for name in sorted(row):
            if name in index:
                indices.append(index[name])
                data.append(row[name])
        indptr.append(len(indices))
    matrix = csr_matrix((np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
                        shape=(len(rows), len(vocabulary)))
    targets = np.array([classes.index(label) for label in labels])
    classifier = LogisticRegression(C=c, max_iter=5000, random_state=seed, class_weight=class_weight)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        classifier.fit(matrix, targets)
    else:
        with threadpool_limits(1):  # one thread: faster on small problems, and the same result everywhere
            classifier.fit(matrix, targets)
    coef = np.zeros((len(vocabulary), len(classes)))
    present = list(classifier.classes_)
    for row_index, label in enumerate(present):
        coef[:, label] = classifier.coef_[row_index] if len(present) > 2 else (
            classifier.coef_[0] * (1 if row_index == 1 else -1) / 2)
    intercept = np.full(len(classes), -1e3)
    for row_index, label in enumerate(present):
        intercept[label] = classifier.intercept_[row_index] if len(present) > 2 else (
            classifier.intercept_[0] * (1 if row_index == 1 else -1) / 2)
    coef, intercept = np.round(coef, DECIMALS), np.round(intercept, DECIMALS)  # as stored: round trips exactly
    keep = np.abs(coef).max(axis=1) >= 1e-4
    return [name for name, k in zip(vocabulary, keep, strict=True) if k], coef[keep], intercept


def _flat(row: dict) -> dict[str, float]:
    """A row with its dense blocks spread into one feature per dimension."""
    if not any(isinstance(value, np.ndarray) for value in row.values()):
        return row
    flat: dict[str, float] = {}
    for name, value in row.items():
        if isinstance(value, np.ndarray):
            flat.update((f"{name}{i}", float(x)) for i, x in enumerate(value))
        else:
            flat[name] = value
    return flat
