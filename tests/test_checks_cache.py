"""The directory findings of the personal-number and code checks, kept between runs of an
incremental build (generator.checks.cache): the same findings as computed, recomputed whenever
the directory (or the code) differs or the kept file is damaged, never kept without a digest."""

from __future__ import annotations

import pickle

from datamin import DIRECTORY_HEADER, context, csv_text, directory_rows, write_data_min

from generator.checks import pii, run_checks, uscc
from generator.load import load_model


def _data(root, name_of_second=""):
    """The tiny data folder, optionally with another name in its second row."""
    write_data_min(root)
    rows = directory_rows()
    if name_of_second:
        rows[1][1] = name_of_second
    (root / "directory" / "enterprises.csv").write_text(csv_text(DIRECTORY_HEADER, rows), "utf-8")
    model, _findings = load_model(root)
    return model


def _rules(findings):
    return [(f.rule, f.file, f.row, f.column, f.value) for f in findings]


def test_kept_findings_equal_computed_ones_and_are_read_back(tmp_path, monkeypatch):
    model = _data(tmp_path / "data", "某某公司 联系电话13800138000")
    assert model.enterprises.digest
    plain = run_checks(model, context(model))
    kept = tmp_path / "checks"
    first = run_checks(model, context(model, cache=kept))
    assert _rules(first) == _rules(plain)
    assert "pii.mobile" in {f.rule for f in first}
    assert sorted(p.name for p in kept.iterdir()) == ["pii.pickle", "uscc.pickle"]

    def no_reading(*_args):
        raise AssertionError("the directory was read again")

    monkeypatch.setattr(pii, "_enterprise_fields", no_reading)
    monkeypatch.setattr(uscc, "_directory", no_reading)
    assert _rules(run_checks(model, context(model, cache=kept))) == _rules(plain)


def test_another_directory_is_checked_again(tmp_path):
    kept = tmp_path / "checks"
    clean = _data(tmp_path / "a")
    assert pii.check(clean, context(clean, cache=kept)) == []
    # same rows but one name now holds an ID-card number: another digest, found
    dirty = _data(tmp_path / "b", "张三 11010519491231002X 经营部")
    assert dirty.enterprises.digest != clean.enterprises.digest
    found = pii.check(dirty, context(dirty, cache=kept))
    assert [(f.rule, f.row, f.column) for f in found] == [("pii.id_card", 3, "企业名称")]
    # and back: the clean directory is not given the other one's findings
    assert pii.check(clean, context(clean, cache=kept)) == []


def test_a_damaged_kept_file_is_computed_again(tmp_path):
    model = _data(tmp_path / "data", "某某公司 联系电话13800138000")
    kept = tmp_path / "checks"
    expected = _rules(pii.check(model, context(model)))
    assert expected
    head = model.enterprises.digest.encode("ascii") + b"\n"
    for damage in (b"", head + b"\x80\x05garbage", head + pickle.dumps("不是结果"),
                   head[:-1], b"not ours"):
        (kept / "pii.pickle").parent.mkdir(exist_ok=True)
        (kept / "pii.pickle").write_bytes(damage)
        assert _rules(pii.check(model, context(model, cache=kept))) == expected
    assert (kept / "pii.pickle").read_bytes().startswith(head)


def test_a_directory_without_digest_is_never_kept(tmp_path):
    model = _data(tmp_path / "data", "某某公司 联系电话13800138000")
    import dataclasses

    built = dataclasses.replace(model, enterprises=dict(model.enterprises.items()))
    kept = tmp_path / "checks"
    assert [f.rule for f in pii.check(built, context(built, cache=kept))] == ["pii.mobile"]
    assert not kept.exists()


def test_incremental_build_refuses_a_number_added_after_a_clean_kept_check(tmp_path):
    """The first incremental build keeps the directory's clean findings; a phone number typed
    into the directory afterwards changes its digest, so the next build finds and refuses it."""
    import datetime as dt
    import shutil
    from pathlib import Path

    import pytest

    from generator.findings import DataError
    from generator.site.build import build_site, cache_folder

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data)
    out = tmp_path / "site"
    as_of = dt.date(2023, 12, 29)
    build_site(str(data), as_of, out, incremental=True)
    kept = cache_folder(out.resolve()) / "checks"
    assert sorted(p.name for p in kept.iterdir()) == ["pii.pickle", "uscc.pickle"]
    before = (out / "index.html").read_bytes()
    directory = data / "directory" / "enterprises-2023.csv"
    lines = directory.read_bytes().decode("gb18030").split("\n")
    cells = lines[5].split(",")
    cells[8] += " 联系电话13800138000"
    lines[5] = ",".join(cells)
    directory.write_bytes("\n".join(lines).encode("gb18030"))
    with pytest.raises(DataError) as caught:
        build_site(str(data), as_of, out, incremental=True)
    assert any(f.rule == "pii.mobile" and f.row == 6 for f in caught.value.findings)
    assert (out / "index.html").read_bytes() == before  # the served site is untouched
