"""Tasks as a bureau runs them: list source and provenance, joint departments, results per item,
tracked follow-up records and the year's plan, as loaded from the office's files."""

from __future__ import annotations

import datetime as dt

from datamin import CODES, PORTAL, TASK, write_data_min

from generator.load import load_model
from generator.model import ListProvenance

PLATFORM = TASK.replace("说明: 示例任务", """说明: 示例任务
名单来源: 协同监管平台抽取
名单出处: {平台任务编号: "410381-2023-0007", 抽取机关: 示例区市场监管局（部门协同监管平台）, 日期: 2023-03-20}""")


def _load(tmp_path, task=TASK, files=None, portal=PORTAL):
    root = write_data_min(tmp_path)
    (root / "portal.yaml").write_text(portal, encoding="utf-8")
    (root / "tasks" / "2023-01.yaml").write_text(task, encoding="utf-8")
    for rel, text in (files or {}).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return load_model(root)


def _errors(findings):
    return [f for f in findings if f.is_error]


def test_default_list_source_is_the_local_draw(tmp_path):
    model, findings = _load(tmp_path)
    t = model.task("2023-01")
    assert t.list_source == "local" and t.provenance is None and not t.imported


def test_platform_list_with_provenance(tmp_path):
    model, findings = _load(tmp_path, PLATFORM)
    assert _errors(findings) == []
    t = model.task("2023-01")
    assert t.list_source == "platform" and t.imported
    assert t.provenance == ListProvenance("410381-2023-0007", "示例区市场监管局（部门协同监管平台）", dt.date(2023, 3, 20))


def test_handed_down_list_needs_its_provenance(tmp_path):
    model, findings = _load(tmp_path, TASK.replace("说明: 示例任务", "说明: 示例任务\n名单来源: 上级下发"))
    f = next(f for f in _errors(findings) if f.rule == "schema.required")
    assert "名单出处" in f.message and f.file == "tasks/2023-01.yaml" and "文号" in f.fix
    assert model.task("2023-01") is None


def test_unknown_list_source_is_refused(tmp_path):
    model, findings = _load(tmp_path, TASK.replace("说明: 示例任务", "说明: 示例任务\n名单来源: 随便抽"))
    f = next(f for f in _errors(findings) if f.rule == "schema.vocab")
    assert f.value == "随便抽" and "上级下发" in f.fix


JOINT_PORTAL = PORTAL + "  - {编号: tax, 名称: 示例区税务局, 类型: 其他部门}\n"
JOINT = TASK.replace("说明: 示例任务", """说明: 示例任务
配合部门: [示例区税务局]
检查实施机关: {A02: 示例区税务局}""")


def test_joint_task_departments_and_item_authorities(tmp_path):
    model, findings = _load(tmp_path, JOINT, portal=JOINT_PORTAL)
    assert _errors(findings) == []
    t = model.task("2023-01")
    assert t.partners == ("tax",) and t.joint
    assert t.authority_of("A02") == "tax" and t.authority_of("A01") == "hq-credit"
    assert model.portal.unit("tax").kind == "dept" and model.unit_name("tax") == "示例区税务局"


def test_item_authority_for_an_item_not_in_the_task(tmp_path):
    model, findings = _load(tmp_path, JOINT.replace("{A02:", "{B99:"), portal=JOINT_PORTAL)
    f = next(f for f in _errors(findings) if "检查实施机关" in f.message)
    assert f.value == "B99" and model.task("2023-01") is None


def test_other_department_inspectors_stay_out_of_the_bureau_draw(tmp_path):
    from generator.draws.inputs import roster_rows

    root = write_data_min(tmp_path)
    (root / "portal.yaml").write_text(JOINT_PORTAL, encoding="utf-8")
    path = next((root / "roster").glob("inspectors.*"))
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[1].split(",")
    path.write_text(text + ",".join(["TX01", "税务甲", "示例区税务局"] + first[3:]) + "\n", encoding="utf-8")
    model, findings = load_model(root)
    assert any(i.id == "TX01" and i.unit == "tax" for i in model.inspectors)
    assert "TX01" not in {r["id"] for r in roster_rows(model)}


RESULTS_PER_ITEM = (
    "统一社会信用代码,检查事项,检查日期,检查结果,检验机构,报告编号\n"
    f"{CODES[0]},A01,2023-05-10,未发现问题,,\n"
    f"{CODES[0]},A02,2023-05-12,未按规定公示应当公示的信息,,\n"
    f"{CODES[1]},,2023-05-11,未发现问题,,\n"
)


def test_results_per_item_and_whole_task(tmp_path):
    model, findings = _load(tmp_path, files={"results/2023-01.csv": RESULTS_PER_ITEM})
    assert _errors(findings) == []
    by_code = {r.code: r for r in model.results["2023-01"]}
    r = by_code[CODES[0]]
    assert [i.item for i in r.items] == ["A01", "A02"]
    assert r.inspected == dt.date(2023, 5, 10) and r.completed == dt.date(2023, 5, 12)
    assert set(r.results) == {"1", "B"}
    assert by_code[CODES[1]].items == ()


def test_results_same_item_twice_is_refused(tmp_path):
    bad = RESULTS_PER_ITEM + f"{CODES[0]},A01,2023-05-13,未发现问题,,\n"
    model, findings = _load(tmp_path, files={"results/2023-01.csv": bad})
    f = next(f for f in _errors(findings) if f.rule == "duplicates.result_item")
    assert f.file == "results/2023-01.csv" and f.row == 5 and f.column == "检查事项" and f.fix


FOLLOWUPS = (
    "统一社会信用代码,处置类型,日期,改正期限,文号,复查日期,复查结果,移出日期,接收机关,状态\n"
    f"{CODES[0]},责令改正,2023-05-12,2023-06-12,,2023-06-13,已改正,,,已办结\n"
    f"{CODES[0]},列入经营异常名录,2023-06-20,,示市监异〔2023〕12号,,,2023-09-01,,已办结\n"
    f"{CODES[1]},立案查处,2023-06-01,,示市监立〔2023〕3号,,,,,办理中\n"
    f"{CODES[1]},移送,2023-06-05,,,,,,示例区公安局,\n"
)


def test_followup_records_of_every_kind(tmp_path):
    model, findings = _load(tmp_path, files={"followups/2023-01.csv": FOLLOWUPS})
    assert _errors(findings) == []
    f = model.followups["2023-01"]
    assert [x.kind for x in f] == ["rectify", "abnormal", "case", "transfer"]
    assert f[0].deadline == dt.date(2023, 6, 12) and f[0].closed and f[0].outcome == "已改正"
    assert f[1].removed == dt.date(2023, 9, 1) and f[1].reference.startswith("示市监异")
    assert not f[2].closed and f[3].receiver == "示例区公安局"


def test_followup_without_what_its_kind_needs(tmp_path):
    bad = FOLLOWUPS.splitlines()[0] + "\n" + f"{CODES[0]},列入经营异常名录,2023-06-20,,,,,,,\n"
    model, findings = _load(tmp_path, files={"followups/2023-01.csv": bad})
    f = next(f for f in _errors(findings) if f.rule == "schema.required")
    assert f.file == "followups/2023-01.csv" and f.row == 2 and f.column == "文号" and "决定书文号" in f.message


PLAN = """\
年度: 2023
名称: 2023年度双随机抽查工作计划
公开: 是
抽查类型: 不定向
比例下限: "5%"
比例上限: "100%"
批次:
  - {名称: 第一批营业执照使用, 任务编号: 2023-01, 抽查事项: [A01, A02], 检查对象: 辖区企业,
     抽查比例: "5%", 时间安排: 2023年3月至6月, 发起部门: 信用监管科}
"""


def test_plan_file(tmp_path):
    model, findings = _load(tmp_path, files={"plans/2023.yaml": PLAN})
    assert _errors(findings) == []
    plan = model.plan(2023)
    assert plan.public and plan.ratio_min == "5%" and plan.ratio_max == "100%" and not plan.directed_default
    b = plan.batch_of("2023-01")
    assert b.items == ("A01", "A02") and b.department == "hq-credit" and b.timing == "2023年3月至6月"


def test_plan_year_must_match_its_file(tmp_path):
    model, findings = _load(tmp_path, files={"plans/2023.yaml": PLAN.replace("年度: 2023", "年度: 2024")})
    f = next(f for f in _errors(findings) if f.rule == "schema.int")
    assert f.file == "plans/2023.yaml" and model.plan(2023) is None
