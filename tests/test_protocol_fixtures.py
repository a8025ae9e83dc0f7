"""Deterministic fixtures shared by the protocol tests (no tests here; helpers only).

Built from arithmetic, never from ``random``, so golden vectors stay stable.
"""

from __future__ import annotations

import hashlib

from generator.protocol.canonical import write_csv
from generator.protocol.encoding import uscc_check_char
from generator.protocol.params import build_params

UNITS = ("hq", "st-a", "st-b", "st-c")
INDUSTRIES = ("食品销售", "餐饮服务", "药品零售", "特种设备")


def uscc(n: int, prefix: str = "913501") -> str:
    """A valid code: prefix + 3-digit-padded counter + 'MA' letters, with its check character."""
    body = f"{prefix}{n:03d}MA{hashlib.sha256(str(n).encode()).hexdigest()[:6].upper()}"
    body = body.replace("I", "1").replace("O", "0").replace("S", "5").replace("V", "7").replace("Z", "2")
    assert len(body) == 17, body
    return body + uscc_check_char(body)


def directory_rows(count: int = 120) -> list[tuple]:
    rows = []
    for n in range(count):
        unit = UNITS[1 + n % 3]
        industry = INDUSTRIES[n % 4]
        risk = "高" if n % 4 in (1, 2) else "低"
        year = 2010 + n % 14
        status = "存续" if n % 17 else "注销"
        rows.append((uscc(n), "有限责任公司", industry, risk, unit, f"{year}-0{1 + n % 9}-1{n % 10}", status))
    return rows


def roster_rows() -> list[tuple]:
    rows = []
    for n in range(12):
        unit = UNITS[n % 4]
        tags = {"食品"} if n % 3 == 0 else ({"药品"} if n % 3 == 1 else set())
        if n == 5:
            tags = {"食品", "特种设备"}
        cap = 3 if n == 7 else 0
        recusals = {uscc(2), uscc(5)} if n == 4 else set()
        rows.append((f"insp-{n:02d}", unit, n != 11, tags, cap, recusals))
    return rows


def expert_rows() -> list[tuple]:
    return [
        ("exp-a", {"食品"}, set()),
        ("exp-b", {"食品", "药品"}, {uscc(3)}),
        ("exp-c", {"药品"}, set()),
        ("exp-d", {"食品"}, set()),
    ]


SOURCES = [
    {"name": "福彩3D", "game": "fc3d", "issue": "2024100", "scheduled": "2024-04-20T21:15:00+08:00",
     "take": "开奖号码三位", "count": 3, "ordered": True, "fallback": "若未按期开奖，取同一玩法的下一期",
     "url": "https://www.cwl.gov.cn/"},
    {"name": "排列5", "game": "pl5", "issue": "24100", "scheduled": "2024-04-20T21:25:00+08:00",
     "take": "开奖号码五位", "count": 5, "ordered": True, "fallback": "若未按期开奖，取同一玩法的下一期",
     "url": "https://www.lottery.gov.cn/"},
    {"name": "中国福利彩票双色球", "game": "ssq", "issue": "2024045", "scheduled": "2024-04-21T21:15:00+08:00",
     "take": "红球六个与蓝球一个", "count": 7, "ordered": False, "fallback": "若未按期开奖，取同一玩法的下一期",
     "url": "https://www.cwl.gov.cn/"},
    {"name": "超级大乐透", "game": "dlt", "issue": "24045", "scheduled": "2024-04-22T21:25:00+08:00",
     "take": "前区五个与后区两个", "count": 7, "ordered": False, "fallback": "若未按期开奖，取同一玩法的下一期",
     "url": "https://www.lottery.gov.cn/"},
]
NUMBERS = [["3", "0", "7"], ["0", "8", "4", "4", "1"], ["05", "12", "18", "23", "27", "31", "09"], ["02", "11", "19", "28", "33", "04", "10"]]
ANNOUNCE_TIME = "2024-04-15T02:00:00Z"


def params(**over) -> dict:
    base = dict(
        task="T2024-001", mode="public",
        population=[{"column": "status", "op": "eq", "value": "存续"}],
        strata=[
            {"when": [{"column": "industry_risk", "op": "eq", "value": "高"}], "ratio": "20%"},
            {"when": [], "ratio": "10%"},
        ],
        group_size=2, scope={"kind": "all"}, expertise=["食品"],
        experts={"count": 1, "expertise": ["食品"]}, exclusion_rules=["same-item-same-year"],
        items=["SC-01"], sources=SOURCES, n=3,
    )
    base.update(over)
    return build_params(**base)


def files(directory=None, roster=None, experts=None) -> dict[str, bytes]:
    return {
        "directory.csv": write_csv("directory.csv", directory if directory is not None else directory_rows()),
        "roster.csv": write_csv("roster.csv", roster if roster is not None else roster_rows()),
        "experts.csv": write_csv("experts.csv", experts if experts is not None else expert_rows()),
    }


SECRET = hashlib.sha256(b"gongshi test secret").digest()
EXCLUSIONS_EMPTY = write_csv("exclusions.csv", [])
