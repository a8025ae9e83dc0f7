"""Leak scanner rules: short names only as whole tokens, long names anywhere; CLI report."""

from __future__ import annotations

import dataclasses

from site_helpers import fixture

from generator.cli import main
from generator.site import build as site_build
from generator.site.leak import Scanner
from generator.site.source import FIXTURES
from generator.site.view import Embargo


def _scanner() -> Scanner:
    return Scanner({"未公示检查人员姓名": {"王芳", "欧阳明月"},
                    "未公示企业名称": {"示例区华兴商贸有限公司"},
                    "未揭示的秘密或签值": set(), "内部分类（信用风险分类）": set(),
                    "未公示的抽取名单代码": set()})


def test_two_character_inspector_name_is_caught_as_a_cell_or_token():
    s = _scanner()
    assert s.scan_text("a.html", "<td>王芳</td>")
    assert s.scan_text("a.html", "<td>王芳（桥北市场监管所，41000001）</td>")
    assert s.scan_text("a.csv", "x,李娜、王芳,y")
    assert s.scan_text("a.html", "<p>检查人员 王芳</p>")


def test_two_character_name_inside_an_enterprise_name_is_not_a_leak():
    s = _scanner()
    assert not s.scan_text("a.html", "<td>示例区王芳理发店</td>")
    assert not s.scan_text("a.html", "<td>王芳园餐饮有限公司</td>")


def test_long_names_are_caught_anywhere():
    s = _scanner()
    assert s.scan_text("a.html", "<p>据示例区华兴商贸有限公司反映</p>")
    assert s.scan_text("a.html", "<td>检查员欧阳明月已到场</td>")


def test_cli_prints_the_leaks_in_chinese(monkeypatch, capsys, tmp_path):
    model, view = fixture()
    leaky = dataclasses.replace(view, embargo=Embargo(names=frozenset({"抽查任务"})))
    monkeypatch.setattr(site_build, "load_view", lambda d, a, **kw: (model, leaky, []))
    code = main(["build", "--data", FIXTURES, "--as-of", "2023-12-29",
                 "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 1
    assert "[泄露] 文件" in err and "「抽查任务」" in err
    assert "泄露检查未通过" in err and "站点未发布" in err
    assert not (tmp_path / "s").exists()


def test_archive_members_are_scanned_as_the_files_they_hold():
    """The verification archive repeats draws/ and log/: each member is scanned under its own
    path (a directory snapshot may hold every code; a listing may not hold an embargoed one)."""
    from generator.site import downloads
    from generator.site.leak import scan_file

    code = "91419999057413893B"
    scanner = Scanner({"未公示的抽取名单代码": {code}})
    clean = downloads.verify_archive({"draws/t/directory.csv": f"code\n{code}\n".encode(),
                                      "verify.py": b"print()\n", "data/x.csv": code.encode()})
    assert scan_file(scanner, downloads.ARCHIVE, clean) == []
    leaky = downloads.verify_archive({"draws/t/listing.csv": f"{code},S1\n".encode()})
    found = scan_file(scanner, downloads.ARCHIVE, leaky)
    assert [(x.file, x.value) for x in found] == [
        (f"{downloads.ARCHIVE}:{downloads.ARCHIVE_FOLDER}/draws/t/listing.csv", code)]
    assert scan_file(scanner, downloads.ARCHIVE, b"PK\x03\x04 broken " + code.encode())


def test_embargoed_codes_and_names_are_found_however_spaced_or_written():
    """The normaliser in front of the embargo: spaces, dots, dashes, full-width and zero-width
    characters put into a code or a name do not hide it (codes stay allowed in snapshots)."""
    code = "91410381MA00000015"
    s = Scanner({"未公示的抽取名单代码": {code}, "未公示企业名称": {"示例区华兴商贸有限公司"},
                 "未公示的抽取名单企业名称": {"示例区华兴商贸有限公司"}})
    for text in ("<td>９１４１ ０３８１-ＭＡ００ ０００ ０１５</td>", "代码 9141.0381.MA00.0000.15",
                 "<p>示例区 华兴\u200b商贸·有限公司</p>"):
        assert s.scan_text("tasks/x/index.html", text), text
    assert not s.scan_bytes("draws/t/directory.csv", "９１４１ ０３８１ＭＡ０００００１５\n".encode())
    assert not s.scan_text("a.html", "<td>9141 0381</td><td>MA00000016</td>")
