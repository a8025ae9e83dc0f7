"""Nothing private gets out, however it is written: every free-text field the office fills ×
every spelling of ``tests/privacy_corpus.py`` (28: mobile, ID and landline numbers in
full-width, with zero-width or bidi characters, dots, dashes, spaces, ``+86``; credit-risk
classes in words) — 0 cases publish.

- ``gongshi check`` refuses each case with a finding naming file, row, column and the rule
  (model level for every field; written into the office's CSV for the directory, so that the
  loader's reading is part of it);
- the build's final scan alone (the checks bypassed: the model is injected) refuses one build
  holding every case, and names each case's value: nothing is swapped in;
- ``cancel --reason`` and the reason of ``reassign`` holding a case are refused before anything
  is written: the log and every file under data/ and secrets/ are byte-identical.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import pytest
from datamin import CODES, context, load_min, write_data_min
from privacy_corpus import expected, spellings

from generator.checks import pii
from generator.cli import main
from generator.site import build as site_build
from generator.site import fixtures as fx
from generator.site.build import LeakError

AS_OF = dt.date(2023, 12, 29)
rep = dataclasses.replace

#: field -> (file, row, column) the finding must name, and how to put a text there
FIELDS = {
    "task 名称": ("tasks/2023-01.yaml", "名称"),
    "task 说明": ("tasks/2023-01.yaml", "说明"),
    "分层 名称": ("tasks/2023-01.yaml", "分层（第 1 层）名称"),
    "item 抽查事项": ("items.yaml", "抽查事项"),
    "item 检查依据": ("items.yaml", "检查依据"),
    "机关名称": ("portal.yaml", "机关名称"),
    "unit 名称": ("portal.yaml", "名称"),
    "enterprise 企业名称": ("directory/enterprises.csv", "企业名称"),
    "enterprise 行业": ("directory/enterprises.csv", "行业"),
    "roster 姓名": ("roster/inspectors.csv", "姓名"),
    "result 备注": ("results/2023-01.csv", "备注"),
    "随机源 备用规则": ("tasks/2023-01.yaml", "随机源（第 1 个）备用规则"),
}


def _put(model, field: str, text: str):
    t = model.tasks[0]
    if field == "task 名称":
        return rep(model, tasks=(rep(t, title=text),))
    if field == "task 说明":
        return rep(model, tasks=(rep(t, description=text),))
    if field == "分层 名称":
        return rep(model, tasks=(rep(t, strata=(rep(t.strata[0], name=text), *t.strata[1:])),))
    if field == "随机源 备用规则":
        return rep(model, tasks=(rep(t, sources=(rep(t.sources[0], fallback=text),
                                                 *t.sources[1:])),))
    if field.startswith("item"):
        attr = "name" if field.endswith("抽查事项") else "basis"
        return rep(model, items=(rep(model.items[0], **{attr: text}), *model.items[1:]))
    if field == "机关名称":
        return rep(model, portal=rep(model.portal, office_name=text))
    if field == "unit 名称":
        units = model.portal.units
        return rep(model, portal=rep(model.portal, units=(units[0], rep(units[1], name=text),
                                                          *units[2:])))
    if field.startswith("enterprise"):
        e = model.enterprises[CODES[2]]
        e = rep(e, **{"name" if field.endswith("企业名称") else "industry": text})
        return rep(model, enterprises={**dict(model.enterprises.items()), e.code: e})
    if field == "roster 姓名":
        return rep(model, inspectors=(*model.inspectors[:2], rep(model.inspectors[2], name=text),
                                      *model.inspectors[3:]))
    if field == "result 备注":
        rs = model.results["2023-01"]
        return rep(model, results={"2023-01": (rs[0], rep(rs[1], note=text), *rs[2:])})
    raise AssertionError(field)


def test_check_refuses_every_field_and_spelling_naming_file_row_column_and_rule(tmp_path):
    model = load_min(tmp_path)
    ctx = context(model)
    assert pii.check(model, ctx) == []
    missed = []
    for f, (field, (file, column)) in enumerate(FIELDS.items()):
        for name, text in spellings(f * 40):
            case = f"备注前文{text}后文"
            found = pii.check(_put(model, field, case), ctx)
            rule = "risk.statement" if name.startswith("risk") else (
                "pii.landline" if name.startswith("landline") else
                "pii.id_card" if name.startswith("id") else "pii.mobile")
            ok = [x for x in found if x.rule == rule and x.file == file and x.column == column
                  and x.value == case and x.is_error and rule in x.message]
            if not ok:
                missed.append((field, name, [(x.rule, x.file, x.column) for x in found]))
            elif file.endswith(".csv"):
                assert ok[0].row is not None and ok[0].row >= 2
    assert missed == [], missed


def test_check_reads_the_spellings_from_the_office_csv(tmp_path):
    """Every spelling written into the directory CSV (one row each) is an error naming its row."""
    from generator.commands.check import collect

    root = write_data_min(tmp_path / "d")
    path = root / "directory" / "enterprises.csv"
    lines = path.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    col = header.index("企业名称")
    cases = spellings(500)
    assert len(cases) < len(lines) - 1
    for n, (_name, text) in enumerate(cases, start=1):
        cells = lines[n].split(",")
        cells[col] = f"示例{text}有限公司"
        lines[n] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", "utf-8")
    found = collect(root, dt.date(2023, 9, 1))
    rows = {x.row for x in found if x.file == "directory/enterprises.csv" and x.column == "企业名称"
            and x.rule in ("pii.mobile", "pii.id_card", "pii.landline", "risk.statement")}
    assert rows == set(range(2, len(cases) + 2))


# -- the build's final scan, on its own ------------------------------------------------------

def _site_model():
    """The code-built fixture with every case in every rendered free-text field (each field's
    cases concatenated, each case with its own number); case -> expected value."""
    base = fx.fixture_model()
    drawn = fx._fixture_draws(base)
    model = rep(base, results={t: d.results for t, d in drawn.items()})
    view = fx.fixture_view(model, AS_OF)
    published = {r.code for tv in view.tasks if tv.published for r in tv.results}
    shown_people = {i for tv in view.tasks if tv.published for r in tv.listing for i in r.inspector_ids}
    cases: dict[str, str] = {}
    counter = iter(range(10_000))

    def text(field: str) -> str:
        k = next(counter)
        parts = []
        for name, t in spellings(k):
            cases[f"{field}:{name}:{k}"] = expected(t)
            parts.append(t)
        return "附：" + "。".join(parts) + "。"

    task_published = next(tv.task.id for tv in view.tasks if tv.published)
    tasks = tuple(rep(t, title=text("task 名称"), description=text("task 说明"),
                      strata=tuple(rep(s, name=text("分层 名称")) for s in t.strata))
                  if t.id == task_published else t for t in model.tasks)
    items = tuple(rep(i, name=text("item 抽查事项"), basis=text("item 检查依据")) for i in model.items)
    units = tuple(rep(u, name=text("unit 名称")) for u in model.portal.units)
    portal = rep(model.portal, office_name=text("机关名称"), units=units)
    code = sorted(published)[0]
    e = model.enterprises[code]
    enterprises = {**model.enterprises, code: rep(e, name=text("enterprise 企业名称"),
                                                 industry=text("enterprise 行业"))}
    pid = sorted(shown_people)[0]
    inspectors = tuple(rep(i, name=text("roster 姓名")) if i.id == pid else i
                       for i in model.inspectors)
    results = {t: tuple(rep(r, note=text("result 备注")) if r.code == code else r for r in rs)
               for t, rs in model.results.items()}
    model = rep(model, tasks=tasks, items=items, portal=portal, enterprises=enterprises,
                inspectors=inspectors, results=results)
    view = fx.fixture_view(model, view.as_of)
    # the fixture's view takes its results from the fixture draws: the notes from the model
    view = rep(view, tasks=tuple(rep(tv, results=model.results.get(tv.task.id, tv.results))
                                 if tv.results is not None else tv for tv in view.tasks))
    return model, view, cases


def test_final_scan_alone_refuses_every_field_and_spelling(tmp_path, monkeypatch):
    model, view, cases = _site_model()
    monkeypatch.setattr(site_build, "load_view", lambda d, a, **kw: (model, view, []))
    out = tmp_path / "site"
    with pytest.raises(LeakError) as exc:
        site_build.build_site("@fixtures", view.as_of, out)
    found = {x.value for x in exc.value.leaks}
    rules = {x.rule for x in exc.value.leaks}
    assert any("pii.mobile" in r for r in rules) and any("risk.statement" in r for r in rules)
    missed = sorted(case for case, value in cases.items() if value not in found)
    assert missed == [], f"{len(missed)} of {len(cases)} cases not refused: {missed[:20]}"
    assert not out.exists()  # nothing swapped in


# -- commands writing free text into the log --------------------------------------------------

def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_cancel_and_reassign_with_a_personal_number_are_refused_and_nothing_changes(
        demo_copy, capsys):
    demo = demo_copy
    log = demo.data / "log" / "draws.jsonl"
    before_log = log.read_bytes()
    before = _tree(demo.root)
    task = "2023-07"
    for _name, text in spellings(77)[::3]:
        code = main(["cancel", task, "--reason", f"企业负责人{text}申请", "--data", str(demo.data),
                     "--secrets", str(demo.secrets)])
        err = capsys.readouterr().err
        assert code == 1 and "--reason" in err and "规则" in err and "Traceback" not in err, err
        assert log.read_bytes() == before_log
    for reason in (spellings(78)[0][1], "recusal 13800138000"):  # a reason is one of two words
        try:
            code = main(["reassign", "2023-06", "--enterprise", CODES[0], "--inspector", "R001",
                         "--reason", reason, "--data", str(demo.data), "--secrets", str(demo.secrets)])
        except SystemExit as exc:  # argparse: not one of the choices
            code = int(exc.code or 0)
        capsys.readouterr()
        assert code != 0
        assert log.read_bytes() == before_log
    assert _tree(demo.root) == before
    # the same text without the number is accepted: the refusal was the rule's
    assert main(["cancel", task, "--reason", "企业负责人申请注销", "--data", str(demo.data),
                 "--secrets", str(demo.secrets)]) == 0
    assert log.read_bytes().startswith(before_log) and log.read_bytes() != before_log


def test_a_correction_reason_with_a_personal_number_is_refused():
    from generator.draws.reveal import correction_reason
    from generator.draws.workspace import DrawRefused

    for _name, text in spellings(99)[::4]:
        with pytest.raises(DrawRefused) as exc:
            correction_reason(f"录入错误，联系 {text} 核实")
        assert "--correction" in str(exc.value) and "规则" in str(exc.value)
    assert correction_reason("录入错误：检查结果应为发现问题已责令改正")
