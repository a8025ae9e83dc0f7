from datamin import CODES, context, load_min

from generator.checks import groups


def test_two_qualified_inspectors_pass(tmp_path):
    model = load_min(tmp_path)
    ctx = context(model, groups={"2023-01": {CODES[0]: ("YS001", "YS002"), CODES[1]: ("YS003", "YS005", "EX01")}})
    assert groups.check(model, ctx) == []


def test_unqualified_or_expert_does_not_count(tmp_path):
    model = load_min(tmp_path)
    ctx = context(model, groups={"2023-01": {CODES[0]: ("YS001", "YS006"), CODES[1]: ("YS003", "EX01")}})
    findings = groups.check(model, ctx)
    assert [f.rule for f in findings] == ["groups.size", "groups.size"]
    assert all(f.is_error and f.task == "2023-01" and f.file == "tasks/2023-01.yaml" for f in findings)
    assert "1 名" in findings[0].message


def test_no_group_info_no_finding(tmp_path):
    model = load_min(tmp_path)
    assert groups.check(model, context(model)) == []
