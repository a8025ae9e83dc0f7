"""``gongshi draw TASK --source …``: the draw (PROTOCOL §6).

The listing and cut-offs stay under ``secrets/<task>/`` until reveal; ``sources.json`` is
public at once; the ``draw`` entry (key string and selection hash, or ``status: failed`` and
the failing rule) is appended last. A task is drawn once: never an edited rerun.
"""

from __future__ import annotations

from ..protocol.errors import ProtocolError
from ..protocol.sources import sources_json
from ..protocol.tickets import hash_chain
from ..state import BEIJING
from .commit import task_files
from .logio import append_entry, exclusive
from .parallel import draw as parallel_draw
from .workspace import DrawRefused, Workspace, bj_time


def parse_source_args(values: list[str]) -> list[list[str]]:
    """Each ``--source`` is the numbers of one source separated by spaces (or commas)."""
    return [value.replace(",", " ").replace("，", " ").split() for value in values]


@exclusive  # holds the log lock from the checks to the append (see logio.exclusive)
def draw(ws: Workspace, task_id: str, numbers: list[list[str]], issues_used: list[str] | None = None,
         workers: int | None = None) -> dict:
    """Draw ``task_id``; ``workers``: processes for the draw (default all cores; 1: the engine
    in this process, e.g. the scale demo, whose engine remembers the commit's scan)."""
    entries = ws.task_entries(task_id)
    if entries.announce is None:
        raise DrawRefused(f"任务 {task_id} 尚未公告，请先执行 gongshi commit {task_id}。")
    if entries.cancel is not None:
        raise DrawRefused(f"任务 {task_id} 已取消，不能抽取。")
    if entries.draw is not None:
        raise DrawRefused(
            f"任务 {task_id} 已于 {bj_time(entries.draw['time'])} 抽取，不能再次抽取（不得重抽）。"
            "如确需重新抽取，请新建任务并写明“重抽自”，重新公告。"
        )
    params, files, exclusions = task_files(ws, task_id)
    now = ws.now()
    for source in params["sources"]:
        from ..protocol.refusals import parse_time

        if parse_time(source["scheduled"]) >= now:
            raise DrawRefused(
                f"随机源「{source['name']}」第 {source['issue']} 期定于 {source['scheduled']} 开奖，"
                f"现在（北京时间 {now.astimezone(BEIJING):%Y-%m-%d %H:%M}）尚未开奖，不能抽取。"
            )
    secret = ws.read_secret(task_id)
    _commitment, code = hash_chain(secret, params["n"])
    try:
        # engine.draw on all cores, byte for byte (small directories and anything unusual: the engine)
        outcome = parallel_draw(params, files, exclusions, code, numbers, workers=workers)
    except ProtocolError as exc:
        raise DrawRefused(f"随机源号码有误：{exc}") from exc

    used = issues_used or [s["issue"] for s in params["sources"]]
    ws.write_secret(task_id, "listing-0.csv", outcome.listing)
    ws.write_secret(task_id, "cutoffs.csv", outcome.cutoffs_csv)
    ws.write_public(task_id, "sources.json", sources_json(outcome.key_string, list(zip(used, outcome.numbers, strict=True))))
    fields: dict = {
        "type": "draw",
        "task": task_id,
        "key_string": outcome.key_string,
        "selection_sha256": outcome.selection_sha256,
        "status": outcome.status,
    }
    if outcome.failure:
        fields["failure"] = outcome.failure
    return append_entry(ws, fields, now)
