"""The weights files of the three trained classifiers (role, type, keep): a missing or damaged file is
one line naming the file and the command that rebuilds it."""

from __future__ import annotations

import json
from pathlib import Path

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
