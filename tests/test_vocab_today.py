"""Result vocabularies: today's market-supervision wording by default, the Zhejiang 2017 set as
an alternative, platform codes in data, variants of one value counted once in statistics."""

from __future__ import annotations

import shutil
from pathlib import Path

from datamin import CODES, write_data_min

from generator.load import load_model
from generator.load.vocab import DEFAULTS

ALTERNATIVE = DEFAULTS / "alternatives" / "results-zhejiang-2017.yaml"


def test_default_results_use_todays_wording_with_platform_codes(tmp_path):
    model, findings = load_model(write_data_min(tmp_path))
    v = model.vocab.results
    labels = {t.label for t in v.terms}
    assert "违反市场监管相关规定" in labels and {"合格", "不合格"} <= labels
    assert v.by_label()["违反工商行政管理相关规定"].same_as == "2"  # the old wording still loads
    assert v.by_code()["1"].platform == "01"
    methods = {t.label for t in model.vocab.methods.terms}
    assert {"利用其他部门检查结论", "专业机构结论", "检验检测"} <= methods


def test_zhejiang_2017_set_is_an_alternative(tmp_path):
    root = write_data_min(tmp_path)
    (root / "vocab").mkdir()
    shutil.copy(ALTERNATIVE, root / "vocab" / "results.yaml")
    model, findings = load_model(root)
    assert [f for f in findings if f.is_error] == []
    assert model.vocab.results.by_code()["2"].label == "违反工商行政管理相关规定"


def test_variants_of_one_value_count_once(tmp_path):
    from generator.site import stats
    from generator.site.view import TaskView

    root = write_data_min(tmp_path)
    rows = "统一社会信用代码,检查日期,检查结果\n" + "".join(
        f"{c},2023-05-10,{w}\n" for c, w in zip(CODES[:3], ["发现问题经责令已改正", "发现问题已责令改正",
                                                            "发现问题经责令已改正、发现问题已责令改正"], strict=True))
    path = next((root / "results").glob("2023-01.*"))
    path.unlink()
    Path(root / "results" / "2023-01.csv").write_text(rows, encoding="utf-8")
    model, _ = load_model(root)
    tv = TaskView(task=model.tasks[0], state=None, results=model.results["2023-01"])  # type: ignore[arg-type]
    assert stats.result_counts(model, tv) == [("发现问题经责令已改正", 3)]
