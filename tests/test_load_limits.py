"""Limits the loaders enforce so that a typo cannot hang a command."""

from __future__ import annotations

from pathlib import Path

import pytest
from datamin import write_data_min

from generator.load import load_model


@pytest.mark.parametrize("value, ok", [(1, True), (100_000, True), (100_001, False),
                                       (99999999999999999999999, False), (0, False)])
def test_hash_chain_length_is_bounded(tmp_path: Path, value: int, ok: bool):
    root = write_data_min(tmp_path)
    task = root / "tasks" / "2023-01.yaml"
    task.write_text(task.read_text(encoding="utf-8") + f"\n哈希链长度: {value}\n", encoding="utf-8")
    _model, findings = load_model(root)
    errors = [f for f in findings if f.is_error and f.column == "哈希链长度"]
    assert (not errors) is ok
    if errors:
        assert errors[0].file == "tasks/2023-01.yaml" and "1 到 100000" in errors[0].message
