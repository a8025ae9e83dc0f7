"""The build pipeline: deterministic, atomic, refuses data errors, pages out of the navigation."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from site_helpers import _TMP, AS_OF, built_site, fixture, tree_hashes

from generator.cli import main
from generator.findings import DataError, Finding
from generator.site import build as site_build
from generator.site.build import build_site
from generator.site.source import FIXTURES
from generator.site.view import Embargo


def test_two_builds_are_byte_identical():
    first = built_site()
    second = build_site(FIXTURES, AS_OF, _TMP / "again")
    assert tree_hashes(first) == tree_hashes(second)


def test_site_has_every_section():
    site = built_site()
    for path in ["index.html", "tasks/index.html", "tasks/2023-01/index.html",
                 "items/index.html", "log/index.html", "verify/index.html", "stats/index.html",
                 "data/index.html", "search/index.html", "feed.xml", "sitemap.xml",
                 "data/results.csv", "data/results.json", "draws/2023-01/listing.csv",
                 "log/draws.jsonl", "verify.py", "search-index/meta.json", "about/index.html"]:
        assert (site / path).is_file(), path
    home = (site / "index.html").read_text("utf-8")
    assert 'lang="zh"' in home and "示例数据" in home and "示例市示例区市场监督管理局" in home


def test_generated_pages_stay_out_of_the_navigation():
    site = built_site()
    tasks = (site / "about/index.html").read_text("utf-8")
    nav = tasks[tasks.index('<nav class="md-nav md-nav--primary'):]
    nav = nav[: nav.index("</nav>")]
    assert "enterprises/" not in nav and "2023-01/" not in nav


def test_results_csv_has_bom_and_json_is_html_safe():
    site = built_site()
    assert (site / "data/results.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"<" not in (site / "data/results.json").read_bytes()


def test_failed_build_leaves_previous_site_untouched(monkeypatch):
    out = _TMP / "atomic"
    build_site(FIXTURES, AS_OF, out)
    before = tree_hashes(out)
    model, view = fixture()
    leaky = dataclasses.replace(view, embargo=Embargo(names=frozenset({"抽查任务"})))
    monkeypatch.setattr(site_build, "load_view", lambda d, a, **kw: (model, leaky, []))
    with pytest.raises(Exception, match="不应公开|BuildError"):
        build_site(FIXTURES, AS_OF, out)
    assert tree_hashes(out) == before
    assert not list(out.parent.glob(".site-build-*"))


def test_cli_refuses_data_with_errors(monkeypatch, capsys, tmp_path):
    finding = Finding("error", "uscc.checksum", "统一社会信用代码校验位错误", file="directory/a.csv",
                      row=3, column="统一社会信用代码", value="91410381MA00000000", fix="核对代码")

    def refuse(data_dir, as_of, **kw):
        raise DataError([finding])

    monkeypatch.setattr(site_build, "load_view", refuse)
    code = main(["build", "--data", FIXTURES, "--as-of", "2023-12-29", "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err
    assert code == 1
    assert "文件 directory/a.csv，第 3 行" in err and "未生成站点" in err
    assert not (tmp_path / "s").exists()


def test_cli_usage_error_on_bad_date(tmp_path):
    assert main(["build", "--data", FIXTURES, "--as-of", "2023-13-45",
                 "--out", str(tmp_path / "s")]) == 2


def test_as_of_changes_what_is_public():
    site = built_site(dt.date(2023, 4, 1))
    assert not (site / "draws/2023-01/code.txt").exists()
    assert (site / "draws/2023-01/sources.json").exists()
    assert not list((site).glob("enterprises/*"))
