"""Embargo: before publication a task's selection and inspectors appear in no output file;
internal risk classes never appear; the leak scanner catches what slips through."""

from __future__ import annotations

import re

from site_helpers import built_site, fixture, read_all

from generator.site import fixtures as fx
from generator.site import leak

CANONICAL = re.compile(r"^draws/[^/]+/(directory|roster|experts)\.csv$")


def _unpublished_selection():
    model, view = fixture()
    drawn = fx._fixture_draws(model)["2023-02"]
    assert view.task("2023-02").draw is not None and not view.task("2023-02").published
    codes = {r.code for r in drawn.listing}
    names = {model.enterprises[c].name for c in codes}
    inspectors = {model.inspector(p).name for r in drawn.listing for p in r.inspector_ids}
    tickets = {r.ticket for r in drawn.listing}
    secret_code = drawn.files["code.txt"].decode().strip()
    return codes, names, inspectors, tickets | {secret_code}


def test_drawn_task_selection_is_in_no_file():
    codes, names, inspectors, secrets = _unpublished_selection()
    files = read_all(built_site())
    for path, data in files.items():
        text = data.decode("utf-8", "replace")
        for name in names | inspectors:
            assert name not in text, (path, name)
        for s in secrets:
            assert s not in text, (path, s)
        if not CANONICAL.match(path):
            for code in codes:
                assert code not in text, (path, code)


def test_drawn_task_shows_draw_entry_but_no_list():
    page = (built_site() / "tasks/2023-02/index.html").read_text("utf-8")
    assert "抽取结果哈希" in page and "检查结果公告" not in page
    assert "listing" not in page


def test_risk_classes_never_appear():
    for path, data in read_all(built_site()).items():
        assert "D类（内部）".encode() not in data, path


def test_leak_scanner_finds_id_cards_phones_and_embargoed_values(tmp_path):
    model, view = fixture()
    (tmp_path / "a.html").write_text("身份证 11010519491231002X 电话 13912345678", "utf-8")
    name = sorted(_unpublished_selection()[1])[0]
    (tmp_path / "b.json").write_text(f'{{"n": "{name}"}}', "utf-8")
    rules = {x.rule for x in leak.scan(tmp_path, model, view)}
    assert {"疑似居民身份证号码（规则 pii.id_card）", "疑似手机号码（规则 pii.mobile）"} <= rules
    assert rules & {"未公示企业名称", "未公示检查人员姓名"}


def test_leak_scanner_passes_the_built_site():
    model, view = fixture()
    assert leak.scan(built_site(), model, view) == []
