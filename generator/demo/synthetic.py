"""Synthetic scale data: a city year (500,000 enterprises) or a province year (5,000,000).

Built for benchmarks and load tests, not for reading. Every row is a pure function of
``(seed, row index)`` (splitmix64), so the directory is written streaming, in chunks, without
holding it in memory, and new registrations can be written later in the year. Codes are unique
by construction: the 8-digit 主体标识码 body is ``(i·A + B) mod 10^8`` with ``A`` coprime to 10,
then the GB 11714 and GB 32100 check characters are added from small precomputed tables.

The office files (portal, items, directory, roster, tasks) are written first; then every task
runs through the real draw engine (:mod:`generator.demo.scale_replay`): commit, draw, results
written from the drawn listing, reveal, publish, with the draw log's times from a fixed
replayed clock, as the small demo does. Each task draws from one 市场监管所's enterprises.
Files are plain UTF-8 CSV for speed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

from ..protocol.encoding import USCC_ALPHABET, USCC_WEIGHTS
from .district import (
    _EXPERTS,
    _HQ_STAFF,
    COOP_WORDS,
    ENTITY_TYPES,
    EXPERTS_HEADER,
    GIVEN_NAMES,
    HQ_UNITS,
    INDUSTRIES,
    ITEMS,
    REGION,
    ROSTER_HEADER,
    STREETS,
    SURNAMES,
    ZIHAO_CHARS,
)
from .files import csv_bytes, write_bytes, yaml_bytes

M64 = (1 << 64) - 1
_A = 48_271  # coprime to 10: i -> (i·A + B) mod 10^8 is a bijection
_B = 12_345_678
_ORG_W = (3, 7, 9, 10, 5, 8, 4, 2)
_CHUNK = 50_000
DIRECTORY_HEADER = ("统一社会信用代码,企业名称,市场主体类型,行业,行业风险等级,所属监管所,成立日期,登记状态,住所,"
                    "信用风险分类\n")


@dataclass(frozen=True)
class Scale:
    directory: int  # enterprises
    inspected: int  # results rows over all tasks
    tasks: int
    years: int


SCALES = {
    "city": Scale(500_000, 50_000, 500, 1),
    "province": Scale(5_000_000, 500_000, 5_000, 1),
}


@dataclass(frozen=True)
class TaskPlan:
    id: str
    announce: dt.date
    end: dt.date  # 检查结束 = 完成日期
    seed: int  # of its results


@dataclass(frozen=True)
class Registration:
    """New enterprises registered on ``day``: rows ``start … start + count`` of the directory,
    written as ``directory/registered-<day>.csv`` on that day of the replay."""

    day: dt.date
    start: int
    count: int


def secrets_dir_for(root: Path) -> Path:
    """The synthetic data's secrets folder: ``<folder>-secrets`` beside it (never a neighbour's
    ``secrets/``; the demo's secrets are derived from a fixed seed, not secret)."""
    root = Path(root).resolve()
    return root.parent / f"{root.name}-secrets"


def write_rows(path: Path, rows: _Rows, start: int, stop: int) -> None:
    """Directory rows ``start … stop`` as a UTF-8 CSV file with the directory header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(DIRECTORY_HEADER)
        for chunk in range(start, stop, _CHUNK):
            fh.write("\n".join(rows.row(i)[2] for i in range(chunk, min(stop, chunk + _CHUNK))))
            fh.write("\n")


@dataclass(frozen=True)
class Summary:
    directory: int
    inspected: int
    tasks: int
    stations: int
    inspectors: int


def _mix(z: int) -> int:
    """splitmix64 finaliser."""
    z = (z + 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class _Codes:
    """GB 32100 codes for row indices, from 4-digit half tables."""

    def __init__(self) -> None:
        alpha = {c: i for i, c in enumerate(USCC_ALPHABET)}
        self.half = [f"{h:04d}" for h in range(10_000)]
        self.org_hi = [sum(int(c) * w for c, w in zip(s, _ORG_W[:4], strict=True)) for s in self.half]
        self.org_lo = [sum(int(c) * w for c, w in zip(s, _ORG_W[4:], strict=True)) for s in self.half]
        self.us_hi = [sum(int(c) * w for c, w in zip(s, USCC_WEIGHTS[8:12], strict=True)) for s in self.half]
        self.us_lo = [sum(int(c) * w for c, w in zip(s, USCC_WEIGHTS[12:16], strict=True)) for s in self.half]
        self.c9 = ["0" if c == 11 else "X" if c == 10 else str(c) for c in range(12)]
        self.c9_value = [alpha[c] for c in self.c9]
        self.prefix = {
            p: sum(alpha[c] * w for c, w in zip(p + REGION, USCC_WEIGHTS[:8], strict=True))
            for p in ("91", "92", "93")
        }

    def code(self, prefix: str, i: int) -> str:
        hi, lo = divmod((i * _A + _B) % 100_000_000, 10_000)
        k = 11 - (self.org_hi[hi] + self.org_lo[lo]) % 11
        total = self.prefix[prefix] + self.us_hi[hi] + self.us_lo[lo] + self.c9_value[k] * 28
        return (
            prefix + REGION + self.half[hi] + self.half[lo] + self.c9[k]
            + USCC_ALPHABET[(31 - total % 31) % 31]
        )


class _Rows:
    """Row i of the synthetic directory as a pure function of (seed, i)."""

    def __init__(self, seed: int, stations: list[tuple[str, str]], last_day: dt.date) -> None:
        self.seed = _mix(seed)
        self.codes = _Codes()
        self.stations = stations
        self.types: list[tuple[str, str]] = []
        for name, prefix, weight in ENTITY_TYPES:
            self.types += [(name, prefix)] * weight
        self.industries: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
        for tname, _p, _w in ENTITY_TYPES:
            table: list[tuple[str, str, tuple[str, ...]]] = []
            for name, risk, w_ent, w_ind, words, shop in INDUSTRIES:
                if tname == "企业":
                    table += [(name, risk, tuple(w + "有限公司" for w in words))] * w_ent
                elif tname == "个体工商户":
                    table += [(name, risk, shop)] * w_ind
                elif name == "农业":
                    table.append((name, risk, tuple(w + "专业合作社" for w in COOP_WORDS)))
            self.industries[tname] = table
        chars = ZIHAO_CHARS
        self.zihao = [a + b for a in chars for b in chars if a != b]
        start = dt.date(1995, 1, 1)
        self.dates = [(start + dt.timedelta(days=k)).isoformat() for k in range((last_day - start).days + 1)]
        self.risks = ["A"] * 30 + ["B"] * 55 + ["C"] * 12 + ["D"] * 3

    def row(self, i: int) -> tuple[str, str, str]:
        """(code, name, csv line without newline)."""
        r = _mix(self.seed ^ i)
        tname, prefix = self.types[r % 100]
        table = self.industries[tname]
        industry, risk, words = table[(r >> 7) % len(table)]
        sid, sname = self.stations[(r >> 14) % len(self.stations)]
        zihao = self.zihao[(r >> 24) % len(self.zihao)]
        name = f"示例{zihao}{words[(r >> 37) % len(words)]}"
        code = self.codes.code(prefix, i)
        line = (
            f"{code},{name},{tname},{industry},{risk},{sid},"
            f"{self.dates[(r >> 40) % len(self.dates)]},存续,"
            f"示例{sname}片区{STREETS[(r >> 55) % len(STREETS)]}{(r >> 50) % 32 + 1}号,"
            f"{self.risks[(r >> 57) % 100]}"
        )
        return code, name, line


def _stations(n: int) -> list[tuple[str, str]]:
    return [(f"s{k:04d}", f"第{k:04d}") for k in range(1, n + 1)]


def _task_yaml(task_id: str, year: int, announce: dt.date, count: int, end: dt.date, unit: str) -> str:
    src = announce + dt.timedelta(days=3)
    items = ("SX01", "SX02", "SX03") if int(task_id[-4:]) % 2 else ("SX09", "SX10")
    return (
        f"编号: {task_id}\n名称: {year}年度合成抽查任务{task_id}\n年度: {year}\n发起科室: xinyong\n"
        f"抽查事项: [{', '.join(items)}]\n抽查类型: 不定向\n模式: 公开\n"
        f"抽取范围:\n- {{列: status, 条件: eq, 值: 存续}}\n- {{列: unit, 条件: eq, 值: {unit}}}\n"
        f"分层:\n- 名称: 辖区市场主体\n  条件:\n  - {{列: status, 条件: eq, 值: 存续}}\n  数量: {count}\n"
        "检查人员: {抽取方式: 全局内随机, 每组人数: 2}\n检查方式: [书面检查, 现场检查]\n"
        f"公告日期: {announce}\n检查开始: {announce + dt.timedelta(days=10)}\n"
        f"检查结束: {end}\n完成日期: {end}\n随机源:\n"
        f"- {{名称: 中国福利彩票双色球, 玩法: ssq, 期号: '{year}{src.timetuple().tm_yday:03d}', "
        f"开奖时间: '{src}T21:15:00+08:00', 取数: 红球6个后接蓝球1个, 个数: 7, 有序: true, "
        "备用规则: 取下一期, 网址: 'https://www.cwl.gov.cn/ygkj/wqkjgg/ssq/'}\n"
        f"- {{名称: 中国体育彩票超级大乐透, 玩法: dlt, 期号: '{year}{src.timetuple().tm_yday:03d}', "
        f"开奖时间: '{src}T21:25:00+08:00', 取数: 前区5个后接后区2个, 个数: 7, 有序: true, "
        "备用规则: 取下一期, 网址: 'https://www.lottery.gov.cn/kj/kjlb.html?dlt'}\n"
        f"- {{名称: 中国体育彩票排列5, 玩法: pl5, 期号: '{year}{src.timetuple().tm_yday:03d}', "
        f"开奖时间: '{src}T21:25:00+08:00', 取数: 开奖号码5位, 个数: 5, 有序: true, "
        "备用规则: 取下一期, 网址: 'https://www.lottery.gov.cn/kj/kjlb.html?plw'}\n"
        "哈希链长度: 1\n协议版本: 1\n"
        "说明: 合成规模数据（示例数据）：按重放的时间经真实抽取引擎公告、抽取、揭示和公示。\n"
    )


def write_synthetic(
    out: str | Path,
    directory: int,
    inspected: int,
    tasks: int,
    years: int = 1,
    seed: int = 1,
    secrets: str | Path | None = None,
    replay: bool = True,
) -> Summary:
    """Write a synthetic data folder: the office files (portal, items, directory, roster,
    tasks), then replay every task through the draw engine (log, draw material, results).
    ``secrets``: the demo's secrets folder (default: :func:`secrets_dir_for`); ``replay=False``:
    the office files only (no log, no results; for loader benchmarks)."""
    if directory < 100 or tasks < 1 or years < 1 or not 0 <= inspected <= directory:
        raise ValueError("要求：企业数 ≥ 100，任务数 ≥ 1，年数 ≥ 1，0 ≤ 被检查企业数 ≤ 企业数")
    if directory > 100_000_000 - 100_000:
        raise ValueError("企业数过大")
    if years > 2023 - 2004:
        raise ValueError("年数过大：任务须落在节假日数据覆盖的年份内（2004–2023 年）")
    root = Path(out)
    first_year = 2024 - years
    n_stations = max(10, directory // 12_500)
    stations = _stations(n_stations)
    rows = _Rows(seed, stations, dt.date(first_year - 1, 12, 31))

    # portal and items
    units = [{"编号": uid, "名称": name, "类型": "局机关"} for uid, name in HQ_UNITS]
    units += [{"编号": sid, "名称": f"示例{name}市场监管所", "类型": "市场监管所"} for sid, name in stations]
    portal = {
        "机关名称": "示例省市场监督管理局（合成规模数据）" if directory > 1_000_000 else "示例市市场监督管理局（合成规模数据）",
        "简称": "示例合成数据",
        "行政区划代码": REGION,
        "网址": "https://gongshi.example/",
        "示例数据": True,
        "公示时限工作日": 20,
        "单位": units,
    }
    write_bytes(root / "portal.yaml", yaml_bytes(portal, "合成规模数据，由 `gongshi demo --scale` 生成。"))
    write_bytes(root / "items.yaml", yaml_bytes([dict(i) for i in ITEMS]))

    # directory, streaming
    write_rows(root / "directory" / "enterprises.csv", rows, 0, directory)

    # rosters: the district's HQ staff plus four inspectors per station
    rng = random.Random(seed)
    plan = [(uid, title, tags, q, cap) for uid, title, tags, q, cap in _HQ_STAFF]
    tag_sets = (("登记", "年报"), ("价格", "食品"), ("广告", "商标"), ("商品质量", "计量"))
    for sid, _name in stations:
        plan += [(sid, ("所长", "副所长", "四级主任科员", "一级科员")[k], tag_sets[k], True, 0) for k in range(4)]
    roster = []
    for k, (uid, title, tags, q, cap) in enumerate(plan, start=1):
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        roster.append((f"R{k:05d}", name, uid, title, "、".join(tags), f"{REGION}{k:06d}", "是" if q else "否", "", cap))
    write_bytes(root / "roster" / "inspectors.csv", csv_bytes(ROSTER_HEADER, roster, "utf-8"))
    experts = [
        (f"E{k:02d}", rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES), org, "、".join(tags), "")
        for k, (org, tags) in enumerate(_EXPERTS, start=1)
    ]
    write_bytes(root / "roster" / "experts.csv", csv_bytes(EXPERTS_HEADER, experts, "utf-8"))

    # tasks: each over one station's enterprises; results come from the replayed draws
    per_year = -(-tasks // years)
    plans = []
    for t in range(tasks):
        year = first_year + t // per_year
        j = t % per_year
        task_id = f"{year}-{j + 1:04d}"
        announce = dt.date(year, 1, 9) + dt.timedelta(days=(j * 240) // per_year)
        end = announce + dt.timedelta(days=75)
        while not chinese_calendar.is_workday(end):
            end += dt.timedelta(days=1)
        count = inspected // tasks + (1 if t < inspected % tasks else 0)
        unit = stations[t % len(stations)][0]
        write_bytes(root / "tasks" / f"{task_id}.yaml",
                    _task_yaml(task_id, year, announce, max(count, 1), end, unit).encode())
        plans.append(TaskPlan(task_id, announce, end, seed * 1_000_003 + t))
    registrations = [
        Registration(dt.date(year, month, 1), directory + k * (directory // 1000), directory // 1000)
        for year in range(first_year, first_year + years) for k, month in enumerate((4, 7))
    ] if directory >= 10_000 else []
    from .scale_replay import replay_scale

    if replay:
        replay_scale(root, Path(secrets) if secrets else secrets_dir_for(root), plans, registrations,
                     rows)
    return Summary(directory, inspected, tasks, n_stations, len(roster))
