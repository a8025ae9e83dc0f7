import dataclasses
import datetime as dt

from datamin import CODES, context, load_min

from generator.checks import references


def test_references_pass_without_and_with_draw_info(tmp_path):
    model = load_min(tmp_path)
    assert references.check(model, context(model)) == []
    selected = frozenset({CODES[0], CODES[5], CODES[1]})
    groups = {"2023-01": {CODES[0]: ("YS001", "ys002"), CODES[1]: ("YS003", "YS004", "EX01")}}
    ctx = context(model, selections={"2023-01": selected}, groups=groups)
    assert references.check(model, ctx) == []


def test_unknown_item_department_and_units(tmp_path):
    model = load_min(tmp_path)
    t = model.tasks[0]
    t = dataclasses.replace(t, items=("A01", "Z99"), department="hq-nobody",
                            scope=dataclasses.replace(t.scope, kind="units", units=("s01", "hq-credit", "s09")))
    model = dataclasses.replace(model, tasks=(t,))
    got = {(f.rule, f.column, f.value) for f in references.check(model, context(model))}
    assert got == {
        ("references.item", "抽查事项", "Z99"),
        ("references.unit", "发起科室", "hq-nobody"),
        ("references.unit", "单位", "hq-credit"),
        ("references.unit", "单位", "s09"),
    }


def test_result_for_an_enterprise_not_selected(tmp_path):
    model = load_min(tmp_path)
    ctx = context(model, selections={"2023-01": frozenset({CODES[0], CODES[5]})})
    (f,) = references.check(model, ctx)
    assert f.rule == "references.not_selected" and f.file == "results/2023-01.csv" and f.row == 4
    assert f.column == "统一社会信用代码" and f.value == CODES[1]


def test_every_selected_enterprise_has_a_result_once_completed(tmp_path):
    model = load_min(tmp_path)
    selected = frozenset({CODES[0], CODES[5], CODES[1], CODES[9]})
    (f,) = references.check(model, context(model, selections={"2023-01": selected}))
    assert f.rule == "references.missing_result" and f.value == CODES[9] and f.file == "results/2023-01.csv"
    # before completion: no finding
    before = context(model, as_of=dt.date(2023, 6, 29), selections={"2023-01": selected})
    assert references.check(model, before) == []


def test_inspectors_in_groups_exist(tmp_path):
    model = load_min(tmp_path)
    ctx = context(model, groups={"2023-01": {CODES[0]: ("YS001", "YS404")}})
    (f,) = references.check(model, ctx)
    assert f.rule == "references.inspector" and f.value == "YS404" and f.file == "tasks/2023-01.yaml"


def test_result_enterprise_not_in_directory(tmp_path):
    model = load_min(tmp_path)
    model = dataclasses.replace(model, enterprises={k: v for k, v in model.enterprises.items() if k != CODES[5]})
    (f,) = references.check(model, context(model))
    assert f.rule == "references.directory" and f.row == 3
