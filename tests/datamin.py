"""A tiny valid data folder, built in code (tests/fixtures/data_min/ is its written copy).

``write_data_min(root)`` writes portal.yaml (a 局机关 unit and two 市场监管所), items.yaml, a
30-row directory with valid codes, a roster with personal columns, experts, one task and its
results. ``encoding``/``date_style`` vary how the directory CSV is written, so a GB18030 file
with 2023年3月6日 dates can be compared with its UTF-8 twin.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stdnum.cn import uscc

INDUSTRIES = ("餐饮业", "零售业", "批发业", "食品制造业", "住宿业")


def code(i: int) -> str:
    body = f"91410381MA{i:07d}"
    return body + uscc.calc_check_digit(body)


CODES = tuple(code(i) for i in range(1, 31))

PORTAL = """\
机关名称: 示例区市场监督管理局
简称: 示例区市场监管局
行政区划代码: "410381"
网址: https://example.org/gongshi/
示例数据: true
公示时限工作日: 20
联系方式: 0379-12345678
单位:
  - {编号: hq-credit, 名称: 信用监管科, 类型: 局机关}
  - {编号: s01, 名称: 城关市场监管所, 类型: 市场监管所}
  - {编号: s02, 名称: 首阳山市场监管所, 类型: 市场监管所}
"""

ITEMS = """\
- 编号: A01
  抽查类别: 登记事项检查
  抽查事项: 营业执照（登记证）规范使用情况的检查
  检查对象: 企业、个体工商户、农民专业合作社、外国企业常驻代表机构
  事项类别: 一般检查事项
  检查方式: 现场检查、网络检查
  检查主体: 县级以上市场监管部门
  检查依据: 《中华人民共和国市场主体登记管理条例》第三十六条
- 编号: A02
  抽查类别: 公示信息检查
  抽查事项: 年度报告公示信息的检查
  检查对象: 企业、个体工商户、农民专业合作社
  事项类别: 重点检查事项
  检查方式: [书面检查]
  检查主体: 县级以上市场监管部门
  检查依据: 《企业信息公示暂行条例》
"""

TASK = """\
编号: 2023-01
名称: 2023年度第一批营业执照规范使用情况抽查
年度: 2023
发起科室: 信用监管科
抽查事项: [A01, A02]
抽查类型: 不定向
模式: 公开
抽取范围:
  - {列: 登记状态, 条件: 等于, 值: 存续}
  - {列: registered, 条件: 早于, 值: 2023年1月1日}
分层:
  - 名称: 餐饮业
    条件: [{列: 行业, 条件: 等于, 值: 餐饮业}]
    比例: "5%"
  - 名称: 其他行业
    条件: []
    数量: 2
检查人员:
  抽取方式: 全局内随机
  每组人数: 2
  业务专长: [登记]
  专家人数: 0
检查方式: [现场检查]
公告日期: 2023-03-06
检查开始: 2023-04-03
检查结束: 2023-06-30
完成日期: 2023-06-30
排除规则: [same-item-same-year]
随机源:
  - 名称: 中国福利彩票双色球
    玩法: ssq
    期号: "2023030"
    开奖时间: 2023-03-16T21:15:00+08:00
    取数: 红球6个和蓝球1个
    个数: 7
    有序: 否
    备用规则: 若未按期开奖，取同一玩法的下一期
    网址: https://www.cwl.gov.cn/
哈希链长度: 1
协议版本: 1
说明: 示例任务
"""

DIRECTORY_HEADER = ["统一社会信用代码", "企业名称", "市场主体类型", "行业", "行业风险等级",
                    "所属监管所", "成立日期", "登记状态", "住所", "信用风险分类"]


def directory_rows(date_style: str = "iso") -> list[list[str]]:
    rows = []
    for i, c in enumerate(CODES):
        d = dt.date(2015, 1, 5) + dt.timedelta(days=97 * i)
        if date_style == "cn":
            ds = f"{d.year}年{d.month}月{d.day}日"
        elif date_style == "slash":
            ds = f"{d.year}/{d.month}/{d.day}"
        elif date_style == "compact":
            ds = d.strftime("%Y%m%d")
        else:
            ds = d.isoformat()
        rows.append([
            c, f"示例{INDUSTRIES[i % 5][:2]}有限公司{i + 1:02d}", "有限责任公司", INDUSTRIES[i % 5],
            "高" if i % 5 == 0 else "低", "城关市场监管所" if i % 2 else "s02", ds, "存续",
            f"示例区中心路{i + 1}号", "ABCD"[i % 4],
        ])
    return rows


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


ROSTER_HEADER = ["人员编号", "姓名", "单位", "职务", "业务专长", "执法证号", "执法资格", "回避",
                 "个人上限", "身份证号", "手机号"]
ROSTER_ROWS = [
    ["YS001", "张明", "信用监管科", "科长", "登记、公示", "41030001", "是", "", "0", "11010519491231002X", "13800138000"],
    ["YS002", "李华", "hq-credit", "科员", "登记", "41030002", "是", CODES[0], "", "", ""],
    ["YS003", "王芳", "s01", "所长", "食品", "41030003", "是", "", "5", "", ""],
    ["YS004", "赵强", "s01", "科员", "登记；食品", "41030004", "是", "", "", "", ""],
    ["YS005", "陈静", "s02", "科员", "特种设备", "41030005", "是", "", "", "", ""],
    ["YS006", "刘洋", "s02", "辅助人员", "", "", "否", "", "", "", ""],
]
EXPERTS = "专家编号,姓名,单位,业务专长,回避\nEX01,孙教授,示例大学,食品,\nEX02,周工,示例检测中心,特种设备,\n"
RESULTS_HEADER = ["统一社会信用代码", "企业名称", "检查日期", "检查结果", "后续处置", "备注", "完成日期"]
RESULTS_ROWS = [
    [CODES[0], "示例餐饮有限公司01", "2023-05-10", "未发现问题", "", "", "2023-05-10"],
    [CODES[5], "示例餐饮有限公司06", "2023/5/12", "发现问题已责令改正", "3", "已整改", "2023/5/20"],
    [CODES[1], "示例零售有限公司02", "2023年6月1日", "未按规定公示应当公示的信息、发现问题待后续处理",
     "违反本部门相关规定，责令改正；后续跟踪由日常监管部门负责", "", "20230601"],
]


def write_data_min(root: Path, encoding: str = "utf-8", date_style: str = "iso") -> Path:
    root = Path(root)
    for sub in ("directory", "roster", "tasks", "results"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "portal.yaml").write_text(PORTAL, encoding="utf-8")
    (root / "items.yaml").write_text(ITEMS, encoding="utf-8")
    (root / "directory" / "enterprises.csv").write_text(
        csv_text(DIRECTORY_HEADER, directory_rows(date_style)), encoding=encoding)
    (root / "roster" / "inspectors.csv").write_text(csv_text(ROSTER_HEADER, ROSTER_ROWS), encoding="utf-8")
    (root / "roster" / "experts.csv").write_text(EXPERTS, encoding="utf-8")
    (root / "tasks" / "2023-01.yaml").write_text(TASK, encoding="utf-8")
    (root / "results" / "2023-01.csv").write_text(csv_text(RESULTS_HEADER, RESULTS_ROWS), encoding="utf-8")
    return root


if __name__ == "__main__":  # regenerate tests/fixtures/data_min/
    write_data_min(Path(__file__).parent / "fixtures" / "data_min")


def load_min(root: Path):
    """The model of the tiny data folder (asserting that it loads cleanly)."""
    from generator.load import load_model

    model, findings = load_model(write_data_min(root))
    assert findings == [], findings
    return model


def context(model, as_of: dt.date = dt.date(2023, 9, 1), **extras):
    from generator.checks import CheckContext

    return CheckContext.for_model(model, as_of, **extras)
