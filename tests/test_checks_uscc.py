import dataclasses

from datamin import CODES, context, load_min

from generator.checks import uscc


def test_valid_codes_pass(tmp_path):
    model = load_min(tmp_path)
    assert uscc.check(model, context(model)) == []


def test_bad_check_character_names_the_row(tmp_path):
    model = load_min(tmp_path)
    bad = CODES[3][:-1] + ("0" if CODES[3][-1] != "0" else "1")
    e = dataclasses.replace(model.enterprises[CODES[3]], code=bad)
    r = dataclasses.replace(model.results["2023-01"][0], code="91410381MA0000001")
    model = dataclasses.replace(
        model, enterprises={**model.enterprises, bad: e}, results={"2023-01": (r,)}
    )
    findings = uscc.check(model, context(model))
    by_rule = {(f.rule, f.file, f.row, f.column, f.value) for f in findings}
    assert ("uscc.checksum", "directory/enterprises.csv", 5, "统一社会信用代码", bad) in by_rule
    assert ("uscc.format", "results/2023-01.csv", 2, "统一社会信用代码", "91410381MA0000001") in by_rule
    assert all(f.is_error and f.fix for f in findings)
