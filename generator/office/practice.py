"""``gongshi demo --try FOLDER``: a practice office to try a whole task life on the demo.

The replayed demo (its office files, draw log and, unlike ``data/`` in the repository, its
secrets and the demo's signing key) plus one practice task 2024-90 not yet announced, on 2023-07's
rules with January 2024 dates. The draw commands accept ``--demo-time`` only in a folder whose
portal.yaml says 示例数据: true, so the task's month can be walked through in minutes; a real
office's log always takes the system clock.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import yaml

from ..demo.files import yaml_bytes
from ..fileio import write_atomic

PRACTICE = "2024-90"
BEIJING = dt.timezone(dt.timedelta(hours=8))


class PracticeRefused(Exception):
    """The folder is in use (message in Chinese)."""


def practice_task(base: dict) -> dict:
    task = copy.deepcopy(base)
    task.update({"编号": PRACTICE, "名称": "练习任务：登记信息及明码标价不定向抽查", "公告日期": "2024-01-10",
                 "检查开始": "2024-01-22", "检查结束": "2024-02-23", "完成日期": "2024-02-28"})
    for stratum, count in zip(task["分层"], (3, 2, 1), strict=False):  # a few enterprises to enter
        stratum.pop("比例", None)
        stratum["数量"] = count
    for n, source in enumerate(task["随机源"]):
        source["期号"] = f"2024{n + 7:03d}"
        day = "16" if n == 0 else "17"
        source["开奖时间"] = source["开奖时间"].replace(source["开奖时间"][:10], f"2024-01-{day}")
    return task


def make_practice(root: Path) -> Path:
    from ..demo.replay import replay

    root = Path(root)
    if (root / "data").exists() or (root / "secrets").exists():
        raise PracticeRefused(f"{root} 中已有 data/ 或 secrets/，请换一个新目录。")
    replay(root / "data", root / "secrets")
    base = yaml.safe_load((root / "data" / "tasks" / "2023-07.yaml").read_text(encoding="utf-8"))
    write_atomic(root / "data" / "tasks" / f"{PRACTICE}.yaml",
                 yaml_bytes(practice_task(base), "练习任务（示例数据）：用 --demo-time 走完公告、抽取、揭示、公示。"))
    return root


def parse_demo_time(text: str) -> dt.datetime:
    """``2024-01-10 10:00`` (Beijing time) -> an aware datetime; ValueError in Chinese."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("T", " "))
    except ValueError:
        raise ValueError(f"--demo-time 应写作 2024-01-10 10:00（北京时间），实际为「{text}」") from None
    return moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment


def is_demo(data_dir: str | Path) -> bool:
    portal = Path(data_dir) / "portal.yaml"
    try:
        return yaml.safe_load(portal.read_text(encoding="utf-8")).get("示例数据") is True
    except (OSError, yaml.YAMLError, AttributeError):
        return False
