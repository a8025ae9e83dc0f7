"""The demo district: a fictitious bureau modelled on a real 2023 district plan.

示例市示例区市场监督管理局 is fictitious, and so is everything in it: units, enterprises (with
valid GB 32100 check characters under the fictitious region code 419999), inspectors, experts.
The demo exercises the loaders on purpose: the directory is GB18030 CSV (as Excel on Chinese
Windows saves it) with mixed date styles, the roster is UTF-8 CSV with a BOM, the experts are an
XLSX workbook.

Everything is derived from one ``random.Random(seed)`` walked in a fixed order: no clock, locale,
hash seed or set iteration order is involved, so two runs give identical bytes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from stdnum.cn import uscc

from ..protocol.encoding import USCC_ALPHABET
from .files import csv_bytes, write_bytes, xlsx_bytes, yaml_bytes

DEMO_SEED = 20230306  # the plan's date
REGION = "419999"  # fictitious 6-digit region code (GB/T 2260 has no 419999)
AS_OF = dt.date(2023, 12, 29)  # the demo's "today"
POPULATION_CUTOFF = dt.date(2022, 1, 1)  # plan: registered on or before 2021-12-31
N_ACTIVE = 3600  # enterprises 存续
N_INACTIVE = 12  # 注销 / 吊销: in the file, outside every population

DIRECTORY_FILE = "directory/enterprises-2023.csv"
ROSTER_FILE = "roster/inspectors.csv"
EXPERTS_FILE = "roster/experts.xlsx"

DIRECTORY_HEADER = (
    "统一社会信用代码",
    "企业名称",
    "市场主体类型",
    "行业",
    "行业风险等级",
    "所属监管所",
    "成立日期",
    "登记状态",
    "住所",
    "信用风险分类",
)
ROSTER_HEADER = ("人员编号", "姓名", "单位", "职务", "业务专长", "执法证号", "执法资格", "回避", "个人上限")
EXPERTS_HEADER = ("专家编号", "姓名", "单位", "业务专长", "回避")


# ---------------------------------------------------------------------------------------------
# Units

HQ_UNITS = (
    ("xinyong", "信用监管科"),
    ("fazhi", "法制科"),
    ("shipin", "食品科"),
    ("tezhong", "特种设备安全监察科"),
    ("jiage", "价格监督检查科"),
    ("guanggao", "广告监督管理科"),
    ("zhiliang", "质量计量科"),
)
# (id, name, weight in the directory) — generic names, none taken from the plan's district
STATIONS = (
    ("zhongxin", "中心市场监管所", 14),
    ("dongcheng", "东城市场监管所", 12),
    ("xicheng", "西城市场监管所", 11),
    ("nancheng", "南城市场监管所", 10),
    ("beicheng", "北城市场监管所", 9),
    ("hedong", "河东市场监管所", 8),
    ("hexi", "河西市场监管所", 8),
    ("hubin", "湖滨市场监管所", 7),
    ("qiaobei", "桥北市场监管所", 6),
    ("xinqu", "新区市场监管所", 6),
    ("shanqian", "山前市场监管所", 5),
    ("yuanqu", "园区市场监管所", 4),
)
UNIT_NAMES = {uid: name for uid, name in HQ_UNITS} | {uid: name for uid, name, _ in STATIONS}

# ---------------------------------------------------------------------------------------------
# Items: the plan's ten kinds, in the column format of the national list (domain-rules §4.2)

# Other departments of the district government taking part in joint tasks (联合抽查).
DEPARTMENTS = (
    ("shuiwu", "国家税务总局示例区税务局"),
    ("yingji", "示例区应急管理局"),
)

ITEMS: tuple[dict, ...] = (
    {
        "编号": "SX01",
        "抽查类别": "登记事项检查",
        "抽查事项": "企业登记信息的检查",
        "检查对象": "企业、个体工商户、农民专业合作社",
        "事项类别": "一般检查事项",
        "检查方式": ["现场检查", "网络检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《中华人民共和国市场主体登记管理条例》第三十六条；"
        "《中华人民共和国市场主体登记管理条例实施细则》第六十六条",
    },
    {
        "编号": "SX02",
        "抽查类别": "公示信息检查",
        "抽查事项": "年度报告公示信息的检查",
        "检查对象": "企业、个体工商户、农民专业合作社",
        "事项类别": "一般检查事项",
        "检查方式": ["书面检查", "网络检查", "现场检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《企业信息公示暂行条例》第十四条；《企业公示信息抽查办法》",
    },
    {
        "编号": "SX03",
        "抽查类别": "公示信息检查",
        "抽查事项": "即时公示信息的检查",
        "检查对象": "企业",
        "事项类别": "一般检查事项",
        "检查方式": ["书面检查", "网络检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《企业信息公示暂行条例》第十条、第十四条",
    },
    {
        "编号": "SX04",
        "抽查类别": "直销监管",
        "抽查事项": "直销企业及其直销员违法行为的检查",
        "检查对象": "直销企业",
        "事项类别": "一般检查事项",
        "检查方式": ["现场检查", "书面检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《直销管理条例》",
    },
    {
        "编号": "SX05",
        "抽查类别": "广告监管",
        "抽查事项": "广告发布单位广告违法行为的检查",
        "检查对象": "广告发布单位、广告经营者",
        "事项类别": "一般检查事项",
        "检查方式": ["现场检查", "网络检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《中华人民共和国广告法》第四十九条",
    },
    {
        "编号": "SX06",
        "抽查类别": "商标监管",
        "抽查事项": "商标使用及商标代理违法行为的检查",
        "检查对象": "商标使用人、商标代理机构",
        "事项类别": "一般检查事项",
        "检查方式": ["现场检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《中华人民共和国商标法》；《商标代理监督管理规定》",
    },
    {
        "编号": "SX07",
        "抽查类别": "产品质量监管",
        "抽查事项": "流通领域商品质量的抽查检验",
        "检查对象": "流通领域商品经销商",
        "事项类别": "重点检查事项",
        "检查方式": ["现场检查", "委托专业机构检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《中华人民共和国产品质量法》第十五条",
    },
    {
        "编号": "SX08",
        "抽查类别": "网络交易监管",
        "抽查事项": "企业网站信息的检查",
        "检查对象": "开办网站的企业",
        "事项类别": "一般检查事项",
        "检查方式": ["网络检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《中华人民共和国电子商务法》第十五条",
    },
    {
        "编号": "SX09",
        "抽查类别": "价格监管",
        "抽查事项": "价格执行行为的检查",
        "检查对象": "价格执行单位",
        "事项类别": "一般检查事项",
        "检查方式": ["现场检查", "书面检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《中华人民共和国价格法》第三十四条",
    },
    {
        "编号": "SX10",
        "抽查类别": "价格监管",
        "抽查事项": "明码标价行为的检查",
        "检查对象": "经营者",
        "事项类别": "一般检查事项",
        "检查方式": ["现场检查"],
        "检查主体": "县级以上市场监管部门",
        "检查依据": "《中华人民共和国价格法》第十三条；《明码标价和禁止价格欺诈规定》",
    },
    {
        "编号": "SW01",
        "抽查类别": "部门联合抽查（税务）",
        "抽查事项": "发票使用和纳税申报情况的检查",
        "检查对象": "企业",
        "事项类别": "一般检查事项",
        "检查方式": ["书面检查", "现场检查"],
        "检查主体": "税务部门",
        "检查依据": "《中华人民共和国税收征收管理法》第五十四条；《中华人民共和国发票管理办法》",
    },
    {
        "编号": "YJ01",
        "抽查类别": "部门联合抽查（应急管理）",
        "抽查事项": "生产经营单位安全生产主体责任落实情况的检查",
        "检查对象": "企业",
        "事项类别": "重点检查事项",
        "检查方式": ["现场检查"],
        "检查主体": "应急管理部门",
        "检查依据": "《中华人民共和国安全生产法》第六十五条",
    },
)

# ---------------------------------------------------------------------------------------------
# Industries: (行业, 行业风险等级, weight for 企业, weight for 个体工商户, company words, shop words)

ENTITY_TYPES = (("企业", "91", 58), ("个体工商户", "92", 37), ("农民专业合作社", "93", 5))

INDUSTRIES: tuple[tuple[str, str, int, int, tuple[str, ...], tuple[str, ...]], ...] = (
    ("食品制造业", "高", 5, 0, ("食品", "糕点", "面业", "豆制品"), ()),
    ("餐饮业", "高", 6, 30, ("餐饮管理", "餐饮服务"), ("饭店", "小吃店", "面馆", "餐馆", "烩面馆")),
    ("药品零售业", "高", 3, 5, ("大药房", "医药"), ("药店", "大药房")),
    ("燃气生产和供应业", "高", 2, 0, ("燃气", "能源"), ()),
    ("危险化学品经营", "高", 2, 0, ("化工", "化工贸易"), ()),
    ("批发业", "中", 14, 0, ("商贸", "贸易", "供应链管理"), ()),
    ("零售业", "中", 12, 40, ("商贸", "超市", "百货"), ("超市", "便利店", "商行", "副食店", "经营部")),
    ("农副食品加工业", "中", 5, 0, ("粮油", "面粉", "农产品加工"), ()),
    ("通用设备制造业", "中", 6, 0, ("机械", "机械设备", "精密机械"), ()),
    ("建筑装饰和装修业", "中", 7, 0, ("装饰工程", "建筑装饰", "装饰设计"), ()),
    ("机动车维修", "中", 3, 8, ("汽车维修", "汽车服务"), ("汽修部", "汽车美容店")),
    ("广告业", "中", 5, 0, ("广告", "文化传媒", "广告传媒"), ()),
    ("软件和信息技术服务业", "低", 8, 0, ("科技", "信息技术", "软件"), ()),
    ("互联网和相关服务", "低", 4, 0, ("网络科技", "电子商务"), ()),
    ("商务服务业", "低", 9, 0, ("商务咨询", "企业管理咨询", "会计服务"), ()),
    ("居民服务业", "低", 4, 12, ("家政服务", "物业管理"), ("理发店", "洗衣店", "家政服务部", "照相馆")),
    ("农业", "低", 3, 0, ("农业开发", "生态农业"), ()),
    ("住宿业", "低", 2, 5, ("酒店管理", "宾馆"), ("宾馆", "旅社")),
)
INDUSTRY_RISK = {name: risk for name, risk, *_ in INDUSTRIES}
COOP_WORDS = ("种植", "养殖", "蔬菜种植", "农机", "果蔬", "中药材种植", "花卉苗木", "食用菌")

# 字号 characters: common in shop names, varied enough that two-character searches find a few
ZIHAO_CHARS = (
    "瑞丰华兴盛泰恒昌宏达鑫源茂祥福隆嘉佳和顺安康永信诚德润金鼎新联合众立晨光明辉阳"
    "天地海云峰川林森禾田远航博雅创美优品尚亿万通广聚益鸿运腾飞宇宙星辰绿野清泉"
    "锦绣龙凤麒麟九州乐享欣悦同心合力厚朴致远"
)
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏"
)
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "霞", "平", "刚", "建华", "志强", "海燕", "晓东", "红梅", "国庆", "文博",
    "雪梅", "俊杰", "子涵", "建国", "秀兰", "玉兰", "春生", "立新", "卫东", "振宇", "佳怡",
    "思远", "浩然", "雨桐", "一鸣", "晓燕", "金凤", "长春", "德明", "少华", "瑞祥",
)
STREETS = (
    "建设路", "人民路", "解放路", "文化路", "和平路", "光明路", "幸福路", "朝阳路", "新华路",
    "青年路", "工业路", "滨河路", "振兴路", "兴业路", "创业大道", "科技大道", "花园路", "中兴街",
    "育才路", "迎宾大道", "学府路", "长安街", "安居路", "丰收路",
)


@dataclass(frozen=True)
class EnterpriseRow:
    code: str
    name: str
    entity_type: str
    industry: str
    industry_risk: str
    unit: str  # unit id
    registered: dt.date
    status: str
    address: str
    risk: str  # 信用风险分类 (internal)
    date_style: int  # 0 ISO, 1 年月日, 2 slashes

    def date_text(self) -> str:
        d = self.registered
        if self.date_style == 1:
            return f"{d.year}年{d.month}月{d.day}日"
        if self.date_style == 2:
            return f"{d.year}/{d.month}/{d.day}"
        return d.isoformat()

    def column(self, name: str) -> str:
        """The protocol's condition columns (PROTOCOL §3)."""
        return {
            "type": self.entity_type,
            "industry": self.industry,
            "industry_risk": self.industry_risk,
            "unit": self.unit,
            "registered": self.registered.isoformat(),
            "status": self.status,
            "risk": self.risk,
        }[name]


@dataclass(frozen=True)
class InspectorRow:
    id: str
    name: str
    unit: str  # unit id
    title: str
    expertise: tuple[str, ...]
    badge: str
    qualified: bool
    recusals: tuple[str, ...] = ()
    cap: int = 0


@dataclass(frozen=True)
class ExpertRow:
    id: str
    name: str
    organisation: str
    expertise: tuple[str, ...]
    recusals: tuple[str, ...] = ()


@dataclass
class District:
    enterprises: list[EnterpriseRow] = field(default_factory=list)
    inspectors: list[InspectorRow] = field(default_factory=list)
    experts: list[ExpertRow] = field(default_factory=list)

    def active(self) -> list[EnterpriseRow]:
        return [e for e in self.enterprises if e.status == "存续"]


# ---------------------------------------------------------------------------------------------
# Codes


def org_code_check(body8: str) -> str:
    """GB 11714 check character of the 9-character 主体标识码 (domain-rules §5.2)."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, weights, strict=True)
    )
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def make_code(prefix2: str, region: str, body8: str) -> str:
    first17 = prefix2 + region + body8 + org_code_check(body8)
    return first17 + uscc.calc_check_digit(first17)


def _weighted(rng: random.Random, choices: list, weights: list[int]):
    return rng.choices(choices, weights=weights, k=1)[0]


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _registered(rng: random.Random) -> dt.date:
    year = _weighted(rng, list(range(1998, 2022)), [1] * 8 + [2] * 8 + [4] * 8)
    return _random_date(rng, dt.date(year, 1, 1), dt.date(year, 12, 31))


def _body(rng: random.Random, registered: dt.date) -> str:
    if registered >= dt.date(2016, 1, 1):  # codes issued at registration: MA + 6
        return "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
    return "".join(rng.choice("0123456789") for _ in range(8))


def _enterprise(rng: random.Random, codes: set[str], names: set[str], status: str) -> EnterpriseRow:
    type_name, prefix, _ = _weighted(rng, list(ENTITY_TYPES), [w for *_, w in ENTITY_TYPES])
    if type_name == "农民专业合作社":
        industry = "农业"
    else:
        col = 2 if type_name == "企业" else 3
        industry = _weighted(rng, [i[0] for i in INDUSTRIES], [i[col] for i in INDUSTRIES])
    spec = next(i for i in INDUSTRIES if i[0] == industry)
    unit = _weighted(rng, [s[0] for s in STATIONS], [s[2] for s in STATIONS])
    registered = _registered(rng)
    while True:
        code = make_code(prefix, REGION, _body(rng, registered))
        if code not in codes:
            codes.add(code)
            break
    place = rng.choice(("示例区", "示例区", "示例区", "示例区", "示例区", "示例市"))
    while True:
        zihao = "".join(rng.sample(ZIHAO_CHARS, 2))
        if type_name == "企业":
            suffix = _weighted(rng, ["有限公司", "有限责任公司", "股份有限公司"], [85, 10, 5])
            name = f"{place}{zihao}{rng.choice(spec[4])}{suffix}"
        elif type_name == "个体工商户":
            if rng.random() < 0.3:
                zihao = rng.choice(SURNAMES) + "记"
            name = f"示例区{zihao}{rng.choice(spec[5])}"
        else:
            name = f"示例区{zihao}{rng.choice(COOP_WORDS)}专业合作社"
        if name not in names:
            names.add(name)
            break
    station = UNIT_NAMES[unit].removesuffix("市场监管所")
    address = f"示例市示例区{station}片区{rng.choice(STREETS)}{rng.randrange(1, 300)}号"
    if rng.random() < 0.2:
        address += f"{rng.randrange(1, 30)}号商铺"
    return EnterpriseRow(
        code=code,
        name=name,
        entity_type=type_name,
        industry=industry,
        industry_risk=spec[1],
        unit=unit,
        registered=registered,
        status=status,
        address=address,
        risk=_weighted(rng, ["A", "B", "C", "D"], [30, 55, 12, 3]),
        date_style=_weighted(rng, [0, 1, 2], [80, 10, 10]),
    )


# ---------------------------------------------------------------------------------------------
# Rosters

# (unit id, 职务, 业务专长, 执法资格, 个人上限) in roster order; ids R001 … follow this order
_HQ_STAFF = (
    ("xinyong", "科长", ("登记", "年报"), True, 5),
    ("xinyong", "四级主任科员", ("年报",), True, 0),
    ("xinyong", "一级科员", ("登记", "网络交易"), True, 0),
    ("fazhi", "科长", ("登记",), True, 5),
    ("fazhi", "一级主任科员", ("年报", "商标"), True, 0),
    ("shipin", "副科长", ("食品",), True, 0),
    ("shipin", "四级主任科员", ("食品", "商品质量"), True, 0),
    ("tezhong", "科长", ("特种设备",), True, 0),
    ("tezhong", "一级科员", ("特种设备", "计量"), True, 0),
    ("jiage", "副科长", ("价格",), True, 0),
    ("jiage", "四级主任科员", ("价格", "计量"), True, 0),
    ("guanggao", "科长", ("广告", "商标"), True, 0),
    ("guanggao", "一级科员", ("广告", "网络交易"), True, 0),
    ("zhiliang", "副科长", ("计量", "商品质量"), True, 0),
    ("zhiliang", "四级主任科员", ("商品质量",), True, 0),
)
_STATION_TITLES = ("所长", "副所长", "四级主任科员", "一级科员", "二级科员")
# tag sets rotated over the stations' three inspectors; every station gets 登记/年报, 价格 and 食品
_STATION_TAGS = (
    (("登记", "年报"), ("价格", "食品"), ("广告", "商标")),
    (("年报",), ("食品", "商品质量"), ("价格", "计量")),
    (("登记",), ("价格",), ("食品", "特种设备")),
)
_UNQUALIFIED_AT = ("hexi", "yuanqu")  # newly hired, badge not yet issued


def _person_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        if name not in names:
            names.append(name)
    return names


def _inspectors(rng: random.Random, enterprises: list[EnterpriseRow]) -> list[InspectorRow]:
    plan: list[tuple[str, str, tuple[str, ...], bool, int]] = list(_HQ_STAFF)
    for s, (uid, _name, _w) in enumerate(STATIONS):
        tags = _STATION_TAGS[s % len(_STATION_TAGS)]
        for k in range(3):
            plan.append((uid, _STATION_TITLES[k if k < 2 else 2 + (s % 3)], tags[k], True, 0))
        if uid in _UNQUALIFIED_AT:
            plan.append((uid, "二级科员", ("登记",), False, 0))
    names = _person_names(rng, len(plan))
    by_unit: dict[str, list[EnterpriseRow]] = {}
    for e in enterprises:
        by_unit.setdefault(e.unit, []).append(e)
    rows: list[InspectorRow] = []
    for i, ((uid, title, tags, qualified, cap), name) in enumerate(zip(plan, names, strict=True)):
        recusals: tuple[str, ...] = ()
        if qualified and i % 9 == 4 and uid in by_unit:  # a few declared relationships
            picks = rng.sample(by_unit[uid], 2 if i % 2 else 1)
            recusals = tuple(sorted(e.code for e in picks))
        rows.append(
            InspectorRow(
                id=f"R{i + 1:03d}",
                name=name,
                unit=uid,
                title=title,
                expertise=tags,
                badge=f"{REGION}{i + 1:05d}" if qualified else "",
                qualified=qualified,
                recusals=recusals,
                cap=cap,
            )
        )
    return rows


_EXPERTS = (
    ("示例市产品质量检验检测中心", ("商品质量",)),
    ("示例市产品质量检验检测中心", ("商品质量", "计量")),
    ("示例市计量测试所", ("计量",)),
    ("示例市特种设备检验所", ("特种设备",)),
    ("示例大学食品科学学院", ("食品", "商品质量")),
    ("示例律师事务所", ("登记", "商标")),
)


def _experts(rng: random.Random, enterprises: list[EnterpriseRow]) -> list[ExpertRow]:
    names = _person_names(rng, len(_EXPERTS) + 60)[60:]  # disjoint from most inspector names
    rows = []
    for i, ((org, tags), name) in enumerate(zip(_EXPERTS, names, strict=True)):
        recusals = (rng.choice(enterprises).code,) if i == 1 else ()
        rows.append(ExpertRow(f"E{i + 1:02d}", name, org, tags, recusals))
    return rows


def build_district(seed: int = DEMO_SEED) -> District:
    rng = random.Random(seed)
    codes: set[str] = set()
    names: set[str] = set()
    enterprises = [_enterprise(rng, codes, names, "存续") for _ in range(N_ACTIVE)]
    # a handful closed or revoked: kept in the file, excluded by every task's population
    for k in range(N_INACTIVE):
        row = _enterprise(rng, codes, names, "注销" if k % 3 else "吊销")
        enterprises.insert(rng.randrange(len(enterprises)), row)
    active = [e for e in enterprises if e.status == "存续"]
    return District(enterprises, _inspectors(rng, active), _experts(rng, active))


# ---------------------------------------------------------------------------------------------
# Writers


def portal_data() -> dict:
    units = [{"编号": uid, "名称": name, "类型": "局机关"} for uid, name in HQ_UNITS]
    units += [{"编号": uid, "名称": name, "类型": "市场监管所"} for uid, name, _ in STATIONS]
    units += [{"编号": uid, "名称": name, "类型": "其他部门"} for uid, name in DEPARTMENTS]
    return {
        "机关名称": "示例市示例区市场监督管理局",
        "简称": "示例区市场监管局",
        "行政区划代码": REGION,
        "网址": "https://gongshi.example/",
        "示例数据": True,
        "公示时限工作日": 20,
        "联系方式": "示例区市场监督管理局信用监管科（示例数据，非真实联系方式）",
        "单位": units,
        "节假日": {
            2024: {
                "来源": "国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号）",
                "放假": [
                    "2024-01-01",
                    "2024-02-10..2024-02-17",
                    "2024-04-04..2024-04-06",
                    "2024-05-01..2024-05-05",
                    "2024-06-10",
                    "2024-09-15..2024-09-17",
                    "2024-10-01..2024-10-07",
                ],
                "调休上班": [
                    "2024-02-04",
                    "2024-02-18",
                    "2024-04-07",
                    "2024-04-28",
                    "2024-05-11",
                    "2024-09-14",
                    "2024-09-29",
                    "2024-10-12",
                ],
            }
        },
    }


def directory_bytes(district: District) -> bytes:
    rows = (
        (
            e.code,
            e.name,
            e.entity_type,
            e.industry,
            e.industry_risk,
            UNIT_NAMES[e.unit],
            e.date_text(),
            e.status,
            e.address,
            e.risk,
        )
        for e in district.enterprises
    )
    return csv_bytes(DIRECTORY_HEADER, rows, "gb18030")


def roster_bytes(district: District) -> bytes:
    rows = (
        (
            i.id,
            i.name,
            UNIT_NAMES[i.unit],
            i.title,
            "、".join(i.expertise),
            i.badge,
            "是" if i.qualified else "否",
            "、".join(i.recusals),
            i.cap,
        )
        for i in district.inspectors
    )
    return csv_bytes(ROSTER_HEADER, rows, "utf-8-sig")


def experts_bytes(district: District) -> bytes:
    rows = (
        (x.id, x.name, x.organisation, "、".join(x.expertise), "、".join(x.recusals))
        for x in district.experts
    )
    return xlsx_bytes("专家名录库", EXPERTS_HEADER, rows)


def write_rosters(data_dir: Path, district: District, recusals: bool) -> None:
    """The roster and experts files, with or without the declared recusals (回避)."""
    import dataclasses

    if not recusals:
        district = dataclasses.replace(
            district,
            inspectors=[dataclasses.replace(i, recusals=()) for i in district.inspectors],
            experts=[dataclasses.replace(x, recusals=()) for x in district.experts],
        )
    write_bytes(data_dir / ROSTER_FILE, roster_bytes(district))
    write_bytes(data_dir / EXPERTS_FILE, experts_bytes(district))


def write_district(data_dir: Path, seed: int = DEMO_SEED) -> District:
    """Write portal.yaml, items.yaml, directory/, roster/ and tasks/ (not results/)."""
    from .tasks import task_documents

    district = build_district(seed)
    note = "示例数据：机关、企业、人员均为虚构，仅用于演示。由 `gongshi demo` 生成。"
    write_bytes(data_dir / "portal.yaml", yaml_bytes(portal_data(), note))
    write_bytes(data_dir / "items.yaml", yaml_bytes([dict(i) for i in ITEMS], note))
    write_bytes(data_dir / DIRECTORY_FILE, directory_bytes(district))
    write_bytes(data_dir / ROSTER_FILE, roster_bytes(district))
    write_bytes(data_dir / EXPERTS_FILE, experts_bytes(district))
    for task_id, doc in task_documents():
        write_bytes(data_dir / "tasks" / f"{task_id}.yaml", yaml_bytes(doc, note))
    from .kinds import write_plan

    write_plan(data_dir)
    return district
