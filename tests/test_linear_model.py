"""The weights files of the three trained classifiers (role, type, keep): a missing or damaged file is
one line naming the file and the command that rebuilds it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kg.extract.keep_model import KeepModel
from kg.extract.linear_model import ModelFileError, SparseLinearModel
from kg.extract.role_model import RoleModel
from kg.extract.type_model import TypeModel

MODELS = [RoleModel, TypeModel, KeepModel]


def damaged_files(model: type[SparseLinearModel]) -> list[str | bytes | None]:
    classes = json.dumps(list(model.CLASSES))
    return [None, "", "{not json", "[1, 2]", '{"format": "something-else"}',
            f'{{"format": "{model.FORMAT}", "version": 2}}',
            f'{{"format": "{model.FORMAT}", "version": 1, "classes": {classes}, "intercept": [0, 0], '
            '"weights": {"x": [1]}}', b"\xff\xfe\x00garbage"]


@pytest.mark.parametrize(("model", "content"), [(m, c) for m in MODELS for c in damaged_files(m)])
def test_missing_or_corrupt_file_raises_a_clear_error(tmp_path: Path, model: type[SparseLinearModel],
                                                      content: str | bytes | None) -> None:
    path = tmp_path / "weights.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ModelFileError) as error:
        model.from_disk(path)
    message = str(error.value)
    assert message.startswith(f"{model.KIND} file {path}") and "kg train" in message and "\n" not in message
    assert not isinstance(error.value.__cause__, json.JSONDecodeError)


def test_scoring_many_rows_at_once_gives_each_rows_own_probabilities() -> None:
    """A paper's entities are scored together (`scores_many`): the same probabilities as one at a time by
    hand, for rows with unknown features only, rows without a dense block and a block some rows lack."""
    model = SparseLinearModel(["a", "b", "vec:name0", "vec:name1"],
                              np.array([[1.0, -1.0], [0.5, 2.0], [3.0, 0.0], [0.0, -2.0]]), np.array([0.1, -0.2]),
                              classes=("x", "y"))
    rows = [{"a": 1.0, "b": 0.5, "unknown": 1.0}, {"unknown": 1.0}, {"b": 2.0}, {}]
    dense = [{"vec:name": np.array([0.2, 0.4])}, {}, {"vec:name": np.array([-1.0, 0.0])}, {}]
    expected = []
    for features, blocks in zip(rows, dense, strict=True):
        logits = model.intercept + sum((value * model.coef[model.index[name]] for name, value in features.items()
                                        if name in model.index), np.zeros(2))
        for name, vector in blocks.items():
            logits = logits + sum(x * model.coef[model.index[f"{name}{i}"]] for i, x in enumerate(vector))
        expected.append(np.exp(logits) / np.exp(logits).sum())
    together = model.scores_many(rows, dense)
    assert together.shape == (4, 2) and np.allclose(together, expected, rtol=0, atol=1e-12)
    assert all(np.allclose(model.scores(features, blocks), want, rtol=0, atol=1e-12)
               for features, blocks, want in zip(rows, dense, expected, strict=True))
    assert model.scores_many([]).shape == (0, 2)
