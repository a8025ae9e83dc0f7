"""Synthetic inputs for bench/bench_draw.py: canonical ``directory.csv``, ``roster.csv``,
``experts.csv`` bytes (PROTOCOL §2) and a parameter object, written directly (no loader).

Enterprise codes are valid GB 32100 codes: ``91`` + ``410100`` + a 9-digit number from a
bijection of the row index (so codes are unique and not in index order) + the check character
computed by :func:`generator.protocol.encoding.uscc_check_char`.
"""

from __future__ import annotations

import datetime as dt
import random

from generator.protocol.encoding import uscc_check_char

TYPES = ("企业", "企业", "企业", "个体工商户", "个体工商户", "农民专业合作社")
INDUSTRIES = {  # industry -> 行业风险等级
    "批发业": "中", "零售业": "低", "餐饮业": "高", "食品制造业": "高", "住宿业": "中",
    "建筑业": "中", "软件和信息技术服务业": "低", "广告业": "低", "药品零售业": "高",
    "道路运输业": "中", "农业": "低", "燃气生产和供应业": "高", "危险化学品经营": "高",
    "房地产业": "中", "商务服务业": "低", "居民服务业": "低",
}
STATIONS = tuple(f"s{i:02d}" for i in range(1, 41))
HQ = ("hq-dengji", "hq-xinyong", "hq-jiage")
TAGS = ("登记", "年报", "价格", "广告", "食品", "网络交易")
_MULT = 387_420_489  # 3^18: coprime to 10^9, so i -> i·M + C (mod 10^9) is a bijection


def uscc(i: int) -> str:
    first17 = f"91410100{(i * _MULT + 123_456_789) % 1_000_000_000:09d}"
    return first17 + uscc_check_char(first17)


def directory_csv(n: int, seed: int = 1) -> bytes:
    """``code,type,industry,industry_risk,unit,registered,status``: n rows sorted by code."""
    rng = random.Random(seed)
    industries = list(INDUSTRIES)
    start = dt.date(1995, 1, 1).toordinal()
    span = dt.date(2023, 12, 31).toordinal() - start
    rows = []
    for i in range(n):
        industry = industries[rng.randrange(len(industries))]
        status = "存续" if rng.random() < 0.9 else ("注销" if rng.random() < 0.7 else "吊销")
        registered = dt.date.fromordinal(start + rng.randrange(span)).isoformat()
        rows.append(f"{uscc(i)},{TYPES[rng.randrange(len(TYPES))]},{industry},"
                    f"{INDUSTRIES[industry]},{STATIONS[rng.randrange(len(STATIONS))]},"
                    f"{registered},{status}\n")
    rows.sort()
    return ("code,type,industry,industry_risk,unit,registered,status\n" + "".join(rows)).encode()


def roster_csv(n: int = 400, seed: int = 2) -> bytes:
    """``id,unit,qualified,expertise,cap,recusals``: stations get 9 each, the rest go to HQ."""
    rng = random.Random(seed)
    lines = ["id,unit,qualified,expertise,cap,recusals\n"]
    for i in range(1, n + 1):
        unit = STATIONS[(i - 1) % len(STATIONS)] if i <= 9 * len(STATIONS) else HQ[i % len(HQ)]
        qualified = "1" if rng.random() < 0.95 else "0"
        tags = ";".join(sorted({t for t in TAGS if rng.random() < 0.35}, key=str.encode))
        cap = "0" if rng.random() < 0.8 else str(rng.randrange(20, 60))
        recusals = uscc(rng.randrange(1_000_000)) if rng.random() < 0.05 else ""
        lines.append(f"R{i:04d},{unit},{qualified},{tags},{cap},{recusals}\n")
    return "".join(lines).encode()


def experts_csv(n: int = 12) -> bytes:
    lines = ["id,expertise,recusals\n"]
    lines += [f"X{i:03d},{TAGS[i % len(TAGS)]},\n" for i in range(1, n + 1)]
    return "".join(lines).encode()


def _source(name: str, game: str, issue: str, scheduled: str, count: int) -> dict:
    return {"name": name, "game": game, "issue": issue, "scheduled": scheduled,
            "take": "开奖号码，按开奖顺序", "count": count, "ordered": True,
            "fallback": "若该期未按期开奖，取同一玩法按期开奖的下一期",
            "url": "https://www.cwl.gov.cn/"}


SOURCES = [
    _source("中国福利彩票双色球", "ssq", "2024007", "2024-01-16T21:15:00+08:00", 7),
    _source("中国体育彩票超级大乐透", "dlt", "2024008", "2024-01-17T21:25:00+08:00", 7),
    _source("中国体育彩票排列5", "pl5", "2024009", "2024-01-17T21:25:00+08:00", 5),
]
NUMBERS = [["3", "8", "15", "21", "27", "33", "9"], ["4", "12", "19", "25", "33", "2", "7"],
           ["1", "2", "3", "4", "5"]]
ANNOUNCE_TIME = "2024-01-10T02:00:00Z"
DRAW_TIME = "2024-01-18T01:00:00Z"


def params_kwargs(task: str = "BENCH-1") -> dict:
    """Keyword arguments of ``build_params``: 3%/1%/0.5% of 存续 by 行业风险等级, groups of 2."""

    def stratum(risk: str, ratio: str) -> dict:
        return {"when": [{"column": "industry_risk", "op": "eq", "value": risk}], "ratio": ratio}

    return {
        "task": task, "mode": "public",
        "population": [{"column": "status", "op": "eq", "value": "存续"}],
        "strata": [stratum("高", "3%"), stratum("中", "1%"), stratum("低", "0.5%")],
        "group_size": 2, "scope": {"kind": "all"}, "expertise": ["登记"],
        "experts": {"count": 0}, "exclusion_rules": [], "items": ["SX01"],
        "sources": SOURCES, "n": 1,
    }
