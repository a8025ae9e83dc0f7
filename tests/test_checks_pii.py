import dataclasses

import pytest
from datamin import CODES, context, load_min

from generator.checks import pii
from generator.checks.pii import find_pii


@pytest.mark.parametrize(
    "value, kind",
    [("11010519491231002X", "pii.id_card"), ("身份证 11010519491231002x 备注", "pii.id_card"),
     ("13800138000", "pii.mobile"), ("电话：138-0013-8000", "pii.mobile"),
     ("联系人 19912345678。", "pii.mobile"), ("0379-12345678", "pii.landline"),
     ("91410381MA00000015", None), ("110105194912310021", None),
     ("123800138000", None), ("执法证号 41030001", None), ("", None)],
)
def test_find_pii(value, kind):
    assert find_pii(value) == kind


def test_clean_model_passes(tmp_path):
    model = load_min(tmp_path)
    assert pii.check(model, context(model)) == []


def test_pii_in_public_columns(tmp_path):
    model = load_min(tmp_path)
    e = dataclasses.replace(model.enterprises[CODES[2]], address="中心路3号 联系人手机13800138000")
    i = dataclasses.replace(model.inspectors[2], title="所长 11010519491231002X")
    r = dataclasses.replace(model.results["2023-01"][1], note="负责人 13912345678 已整改")
    model = dataclasses.replace(
        model, enterprises={**model.enterprises, e.code: e},
        inspectors=(model.inspectors[:2] + (i,) + model.inspectors[3:]),
        results={"2023-01": (model.results["2023-01"][0], r, model.results["2023-01"][2])},
    )
    got = {(f.rule, f.file, f.row, f.column) for f in pii.check(model, context(model))}
    assert got == {
        ("pii.mobile", "directory/enterprises.csv", 4, "住所"),
        ("pii.id_card", "roster/inspectors.csv", 4, "职务"),
        ("pii.mobile", "results/2023-01.csv", 3, "备注"),
    }
