"""Demo results: what the inspectors found, written after the draw.

The selection is only known once the lead's replay has drawn a task, so results are written by
:func:`write_results` then, into ``data/results/<task>.csv`` (UTF-8 with BOM, as Excel saves
"CSV UTF-8"). Result values use the exact wording of domain-rules §1.3 (block C, and block E's
「发现问题已责令改正」 in the advertising task, to show that the office's wording is kept).
后续处置 is written as the default vocabulary's codes (§1.4): its labels contain 「，」 and 「、」,
which are also the multi-value separators.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import chinese_calendar

from .files import csv_bytes, write_bytes
from .tasks import task_plan

RESULTS_HEADER = ("统一社会信用代码", "企业名称", "检查日期", "检查结果", "后续处置", "备注", "完成日期")

NO_PROBLEM = "未发现问题"
LATER = "发现问题待后续处理"
NOT_DISCLOSED = "未按规定公示应当公示的信息"
FALSE_INFO = "公示信息隐瞒真实情况弄虚作假"
UNREACHABLE = "通过登记的住所（经营场所）无法联系"
CORRECTED_C = "发现问题经责令已改正"  # block C wording
CORRECTED_E = "发现问题已责令改正"  # block E wording
NO_ACTIVITY = "未发现开展本次抽查涉及的经营活动"

# follow-up codes of generator/defaults/vocab/followups.yaml
F_NONE, F_REFER_DAILY, F_ORDER, F_CASE = "1", "2", "3", "4"

# outcome -> (检查结果 values, 后续处置 codes, 备注 choices)
OUTCOMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ok": ((NO_PROBLEM,), (F_NONE,), ("",)),
    "corrected": ((), (F_NONE,), ("经营者已当场整改", "已责令改正，复查时已改正")),
    "not_disclosed": ((NOT_DISCLOSED,), (F_ORDER,), ("已责令限期公示", "")),
    "not_disclosed_later": ((LATER, NOT_DISCLOSED), (F_ORDER,), ("已责令限期公示，逾期将列入经营异常名录",)),
    "false_info": ((LATER, FALSE_INFO), (F_CASE,), ("已移送执法稽查部门",)),
    "unreachable": ((UNREACHABLE,), (F_REFER_DAILY,), ("拟列入经营异常名录", "")),
    "later": ((LATER,), (F_CASE,), ("发现案件线索，已移送办案机构",)),
    "no_activity": ((NO_ACTIVITY,), (F_NONE,), ("",)),
}

# task profile -> outcome weights (percent)
PROFILES: dict[str, dict[str, int]] = {
    "disclosure": {
        "ok": 82, "corrected": 3, "not_disclosed": 4, "not_disclosed_later": 2,
        "false_info": 1, "unreachable": 4, "later": 1, "no_activity": 3,
    },
    "conduct": {
        "ok": 80, "corrected": 10, "unreachable": 3, "later": 3, "no_activity": 4,
    },
}


def _profile(items: Iterable[str]) -> str:
    return "disclosure" if set(items) & {"SX01", "SX02", "SX03"} else "conduct"


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    from .district import build_district

    return {e.code: e.name for e in build_district().enterprises}


def results_bytes(task_id: str, selected_codes: Iterable[str], rng_seed: int) -> bytes:
    plan = task_plan(task_id)
    end = plan.completion or plan.inspect_end
    days = [
        d
        for d in (plan.inspect_start + dt.timedelta(days=k)
                  for k in range((end - plan.inspect_start).days + 1))
        if chinese_calendar.is_workday(d)
    ]
    corrected = CORRECTED_E if plan.id == "2023-02" else CORRECTED_C
    weights = PROFILES[_profile(plan.items)]
    outcomes = list(weights)
    names = _names()
    rng = random.Random(rng_seed)
    rows = []
    for code in sorted(set(selected_codes)):
        outcome = rng.choices(outcomes, weights=[weights[o] for o in outcomes], k=1)[0]
        results, followups, notes = OUTCOMES[outcome]
        if outcome == "corrected":
            results = (corrected,)
        inspected = rng.choice(days)
        rows.append(
            (
                code,
                names.get(code, ""),
                inspected.isoformat(),
                "、".join(results),
                "、".join(followups),
                rng.choice(notes),
                (plan.completion or inspected).isoformat(),
            )
        )
    rows.sort(key=lambda r: (r[2], r[0]))  # by inspection date, as offices keep them
    return csv_bytes(RESULTS_HEADER, rows, "utf-8-sig")


def write_results(data_dir: str | Path, task_id: str, selected_codes: Iterable[str], rng_seed: int) -> Path:
    """Write ``data_dir/results/<task_id>.csv`` for the enterprises the draw selected.

    Deterministic: the same codes (in any order) and seed give the same bytes. Every 检查日期 is
    a working day within the inspection window; 完成日期 is the task's completion date.
    """
    path = Path(data_dir) / "results" / f"{task_id}.csv"
    write_bytes(path, results_bytes(task_id, selected_codes, rng_seed))
    return path
