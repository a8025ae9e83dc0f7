"""Hostile values: codes, dates, ratios, groups, recusals, empty populations and names.

Decisions pinned here:

- Codes in lower case, with spaces or full-width characters are normalised when loading (the
  model holds the canonical 18-character code); a wrong check digit and a 15-digit 注册号 are
  errors naming the row.
- ``2023-02-30`` and ``2023年13月1日`` are errors. A five-digit number in a CSV date column
  (an Excel serial such as 44991) is an error whose message names the date it would be: a CSV
  has no cell types, so we never guess. In XLSX, date cells and numeric cells (Excel's own serial
  numbers) load as dates.
- Names keep their exact text (HTML, Markdown, Jinja, YAML syntax, emoji, 10,000 characters);
  invisible control and format characters (Unicode Cc/Cf: zero-width, bidirectional controls,
  NUL, BOM) are kept too, with a warning (rule ``schema.control``) naming file, row and column.
- An inspector recused from every enterprise loads (with every recusal) and is never assigned;
  ``gongshi check`` does not report it. A task whose population is empty passes ``gongshi check``
  and is refused by ``commit`` (PROTOCOL §3 floor: empty stratum).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from adversarial import (
    CONTROL_NAMES,
    DIRECTORY,
    HOSTILE_NAMES,
    SAMPLES,
    assert_error,
    bad_check_digit,
    csv_bytes,
    directory_csv,
    errors,
    folder,
    load,
    rows_with,
)
from datamin import CODES, ROSTER_HEADER, ROSTER_ROWS, TASK, context

from generator.checks import run_checks
from generator.cli import main
from generator.draws.commit import canonical_inputs, commit
from generator.draws.workspace import DrawRefused, Workspace
from generator.protocol import engine
from generator.protocol.canonical import write_csv
from generator.protocol.listing import parse_listing
from generator.protocol.params import build_params
from generator.protocol.tickets import hash_chain

TASK_FILE = "tasks/2023-01.yaml"

# ------------------------------------------------------------------------- codes


def test_untidy_codes_are_normalised_and_bad_ones_named(tmp_path):
    model, findings = load(folder(tmp_path, directory__enterprises_csv=(SAMPLES / "codes_untidy.csv").read_bytes()))
    # rows 2-4: lower case, spaces, full-width → canonical codes in the model
    for i in range(3):
        assert CODES[i] in model.enterprises
        assert model.enterprises[CODES[i]].code == CODES[i]
    assert_error(findings, file=DIRECTORY, rule="uscc.checksum", row=5, column="统一社会信用代码",
                 value=bad_check_digit(CODES[3]))
    f = assert_error(findings, file=DIRECTORY, rule="uscc.format", row=6, column="统一社会信用代码",
                     value="410381000012345")
    assert "18 位" in f.message and "15" in f.message
    assert len(model.enterprises) == 3


def test_bad_code_in_results_and_recusals_named(tmp_path):
    results = "统一社会信用代码,检查日期,检查结果\n" + f"{bad_check_digit(CODES[0])},2023-05-10,未发现问题\n"
    roster = [list(r) for r in ROSTER_ROWS]
    roster[2][7] = "410381000012345"
    _, findings = load(folder(tmp_path, **{"results__2023-01_csv": results},
                              roster__inspectors_csv=csv_bytes([ROSTER_HEADER, *roster])))
    assert_error(findings, file="results/2023-01.csv", rule="uscc.checksum", row=2, column="统一社会信用代码")
    assert_error(findings, file="roster/inspectors.csv", rule="uscc.format", row=4, column="回避",
                 value="410381000012345")


# ------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value, words",
    [("2023-02-30", "日期不存在"), ("2023年13月1日", "日期不存在"), ("2023/2/29", "日期不存在"),
     ("44991", "Excel 日期序列号（2023-03-06）"), ("三月六日", "无法识别"), ("2023-3", "无法识别"),
     ("0000-01-01", "日期不存在")],
)
def test_impossible_and_ambiguous_dates_in_csv(tmp_path, value, words):
    model, findings = load(folder(tmp_path, directory__enterprises_csv=directory_csv(rows_with(4, 成立日期=value))))
    f = assert_error(findings, file=DIRECTORY, rule="schema.date", row=6, column="成立日期", value=value)
    assert words in f.message
    assert CODES[4] not in model.enterprises


@pytest.mark.parametrize("key, value", [("公告日期", "2023-02-30"), ("检查开始", "2023年13月1日")])
def test_impossible_dates_in_a_task(tmp_path, key, value):
    original = {"公告日期": "2023-03-06", "检查开始": "2023-04-03"}[key]
    text = TASK.replace(f"{key}: {original}", f"{key}: {value}")
    model, findings = load(folder(tmp_path, **{"tasks__2023-01_yaml": text}))
    line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith(key))
    assert_error(findings, file=TASK_FILE, rule="schema.date", row=line, column=key)
    assert model.task("2023-01") is None


# ------------------------------------------------------------------------- ratios and groups


@pytest.mark.parametrize("ratio", ['"0%"', '"150%"', "五成", "0.05", '"5 %"', '"-5%"', "5%%"])
def test_bad_ratios_name_the_task_file_and_field(tmp_path, ratio):
    text = TASK.replace('比例: "5%"', f"比例: {ratio}")
    model, findings = load(folder(tmp_path, **{"tasks__2023-01_yaml": text}))
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "比例:" in s)
    assert_error(findings, file=TASK_FILE, rule="schema.ratio", row=line, column="比例")
    assert model.task("2023-01") is None


@pytest.mark.parametrize("size", ["1", "0", "-2", "二", "2.5", "true"])
def test_group_of_one_is_an_error(tmp_path, size):
    text = TASK.replace("每组人数: 2", f"每组人数: {size}")
    model, findings = load(folder(tmp_path, **{"tasks__2023-01_yaml": text}))
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "每组人数" in s)
    f = assert_error(findings, file=TASK_FILE, rule="groups.size", row=line, column="每组人数")
    assert "不少于 2" in f.message
    assert model.task("2023-01") is None


# ------------------------------------------------------------------------- recusals, population


def _draw(model, task_id: str = "2023-01"):
    """Run the protocol draw on the model's canonical inputs (fixed secret and numbers)."""
    from generator.draws import inputs

    task = model.task(task_id)
    params = build_params(**inputs.params_from_task(task))
    files = canonical_inputs(model, audit=False)
    _, code = hash_chain(bytes(32), task.n)
    exclusions = write_csv("exclusions.csv", [])
    numbers = [["03", "07", "12", "19", "24", "31", "08"]]
    return engine.draw(params, files, exclusions, code, numbers)


def test_inspector_recused_from_every_enterprise_is_never_assigned(tmp_path, capsys):
    roster = [list(r) for r in ROSTER_ROWS]
    roster[1][7] = "、".join(c.lower() for c in CODES)  # YS002 recused from all 30
    root = folder(tmp_path, roster__inspectors_csv=csv_bytes([ROSTER_HEADER, *roster]))
    model, findings = load(root)
    assert findings == []
    assert model.inspector("YS002").recusals == CODES
    # Where it is caught: nowhere before the draw (gongshi check has no rule for it) …
    assert errors(run_checks(model, context(model))) == []
    # … and the draw never assigns the recused inspector.
    outcome = _draw(model)
    assert outcome.status == "ok"
    lines = parse_listing(outcome.listing)
    assert lines and all("YS002" not in line.inspectors for line in lines)


def test_task_with_empty_population_is_refused_at_commit(tmp_path, capsys):
    text = TASK.replace("值: 存续}", "值: 吊销}")  # no enterprise of the directory is 吊销
    root = folder(tmp_path / "data", **{"tasks__2023-01_yaml": text})
    model, findings = load(root)
    assert findings == []
    code = main(["check", "--data", str(root), "--as-of", "2023-03-01"])
    assert code == 0  # not detectable without the draw inputs: the refusal comes at commit
    capsys.readouterr()
    clock = lambda: dt.datetime(2023, 3, 6, 1, 0, tzinfo=dt.UTC)  # noqa: E731
    ws = Workspace.at(root, tmp_path / "secrets", clock=clock)
    with pytest.raises(DrawRefused) as exc:
        commit(ws, model, "2023-01", secret_source=lambda: bytes(32))
    assert "没有企业" in str(exc.value)
    assert not (root / "log" / "draws.jsonl").exists() or not (root / "log" / "draws.jsonl").read_bytes()
    assert not (root / "draws" / "2023-01").exists()  # nothing half-written


# ------------------------------------------------------------------------- names


def _names_csv(names: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    rows = rows_with(0)
    for i, name in enumerate(names):
        rows[i][1] = name
    w.writerow(["统一社会信用代码", "企业名称", "市场主体类型", "行业", "行业风险等级", "所属监管所",
                "成立日期", "登记状态", "住所", "信用风险分类"])
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def test_hostile_names_load_exactly(tmp_path):
    names = list(HOSTILE_NAMES.values())
    model, findings = load(folder(tmp_path, directory__enterprises_csv=_names_csv(names)))
    assert findings == []
    for i, name in enumerate(names):
        assert model.enterprises[CODES[i]].name == name


def test_hostile_names_load_exactly_from_xlsx(tmp_path):
    from adversarial import xlsx_bytes
    from datamin import DIRECTORY_HEADER, directory_rows

    names = [n for n in HOSTILE_NAMES.values() if "\r" not in n]  # XLSX stores \r as _x000D_
    rows = directory_rows()
    for i, name in enumerate(names):
        rows[i][1] = name
    model, findings = load(folder(tmp_path, directory__enterprises_csv_delete="",
                                  directory__enterprises_xlsx=xlsx_bytes([DIRECTORY_HEADER, *rows])))
    assert findings == []
    for i, name in enumerate(names):
        assert model.enterprises[CODES[i]].name == name


def test_control_characters_in_names_are_kept_with_a_warning(tmp_path):
    names = list(CONTROL_NAMES.values())
    model, findings = load(folder(tmp_path, directory__enterprises_csv=_names_csv(names)))
    assert errors(findings) == []
    assert [(f.rule, f.file, f.row, f.column) for f in findings] == [
        ("schema.control", DIRECTORY, i + 2, "企业名称") for i in range(len(names))
    ]
    assert all("U+" in f.message and "不可见" in f.message for f in findings)
    for i, name in enumerate(names):
        assert model.enterprises[CODES[i]].name == name


def test_control_characters_in_roster_names_warn(tmp_path):
    roster = [list(r) for r in ROSTER_ROWS]
    roster[0][1] = "张\u200b明"
    model, findings = load(folder(tmp_path, roster__inspectors_csv=csv_bytes([ROSTER_HEADER, *roster])))
    (w,) = findings
    assert (w.severity, w.rule, w.file, w.row, w.column) == ("warning", "schema.control",
                                                              "roster/inspectors.csv", 2, "姓名")
    assert model.inspector("YS001").name == "张\u200b明"


def test_hostile_names_in_yaml_task_title_kept(tmp_path):
    title = HOSTILE_NAMES["jinja"] + HOSTILE_NAMES["html"]
    text = TASK.replace("名称: 2023年度第一批营业执照规范使用情况抽查", f"名称: {json.dumps(title, ensure_ascii=False)}")
    model, findings = load(folder(tmp_path, **{"tasks__2023-01_yaml": text}))
    assert findings == [] and model.task("2023-01").title == title
