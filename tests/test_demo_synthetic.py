"""Synthetic scale data: requested sizes, valid unique codes, deterministic, loadable, fast."""

from __future__ import annotations

import csv
import hashlib
import time
from pathlib import Path

import pytest
from stdnum.cn import uscc

from generator.cli import main
from generator.demo.synthetic import _Codes, write_synthetic


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))[1:]


def test_small_knobs_give_requested_counts(tmp_path):
    started = time.monotonic()
    assert main(["demo", "--out", str(tmp_path), "--directory", "2000", "--inspected", "200",
                 "--tasks", "5", "--years", "2"]) == 0
    assert time.monotonic() - started < 60  # a hang guard; speed is bench work
    directory = _rows(tmp_path / "directory" / "enterprises.csv")
    assert len(directory) == 2000
    codes = [r[0] for r in directory]
    assert len(set(codes)) == 2000 and all(uscc.is_valid(c) for c in codes)
    tasks = sorted((tmp_path / "tasks").glob("*.yaml"))
    assert len(tasks) == 5
    results = [r for p in sorted((tmp_path / "results").glob("*.csv")) for r in _rows(p)]
    assert len(results) == 200
    assert {r[0] for r in results} <= set(codes)
    names = {r[0]: r[1] for r in directory}
    assert all(names[r[0]] == r[1] for r in results)


def test_deterministic_and_seeded(tmp_path):
    write_synthetic(tmp_path / "a", 1000, 50, 3, 1, seed=7)
    write_synthetic(tmp_path / "b", 1000, 50, 3, 1, seed=7)
    write_synthetic(tmp_path / "c", 1000, 50, 3, 1, seed=8)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b") != _digest(tmp_path / "c")


def test_code_tables_match_stdnum():
    codes = _Codes()
    for i in (0, 1, 2, 999, 123_456, 4_999_999, 99_999_999):
        for prefix in ("91", "92", "93"):
            code = codes.code(prefix, i)
            assert uscc.is_valid(code) and code[:2] == prefix


def test_refuses_bad_knobs(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--directory", "10"]) == 2
    assert "参数错误" in capsys.readouterr().err


def test_loads_without_errors(tmp_path):
    load = pytest.importorskip("generator.load")
    write_synthetic(tmp_path, 1500, 120, 4, 2)
    model, findings = load.load_model(tmp_path)
    assert model is not None
    assert [f.text() for f in findings if f.is_error] == []
    assert len(model.enterprises) == 1500
    assert sum(len(v) for v in model.results.values()) == 120
