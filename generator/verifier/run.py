"""Verify a published folder: every task's draw (PROTOCOL §10) and the log (§8).

Standard library only. The folder is a built site, a downloaded copy of one, or the office's
``data/`` folder: all three hold ``log/`` and ``draws/<task>/`` at the PROTOCOL §11 paths.
Nothing under ``secrets/`` is ever read. One line per check; the exit code is 0 only when every
check holds (warnings, such as a missing external anchor, are printed but do not fail;
``--require-anchors`` makes an announcement time not proven from outside fail).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..protocol import snapshots
from ..protocol.errors import ProtocolError
from ..protocol.listing import parse_listing
from ..protocol.verify import verify_task
from ..tlog.anchors import AnchorContext, anchor_checks, anchor_status
from ..tlog.entries import parse_log_prefix
from ..tlog.verify_log import verify_log
from .zh_args import ChineseArgumentParser

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Verdict:
    """One printed line: where (log or task), the check's name, ok, severity and detail."""

    scope: str  # "log" or the task id
    name: str
    ok: bool
    detail: str
    severity: str = ERROR

    def line(self) -> str:
        mark = "通过" if self.ok else ("警告" if self.severity == WARNING else "不一致")
        where = "日志" if self.scope == "log" else f"任务 {self.scope}"
        return f"[{mark}] {where} {self.name}：{self.detail}"


def read_log_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root/log`` keyed by its path relative to ``root`` (``log/...``)."""
    out: dict[str, bytes] = {}
    log_dir = root / "log"
    if not log_dir.is_dir():
        return out
    for path in sorted(log_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def read_task_files(root: Path, task: str) -> dict[str, bytes]:
    """The files of the task's own folder ``draws/<task>/`` (inputs kept in the snapshot store
    are added by :func:`stored_inputs`)."""
    folder = root / "draws" / task
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def read_snapshot_file(root: Path, name: str) -> bytes | None:
    """A file of the snapshot store (``draws/snapshots.d/``), or None."""
    path = root / snapshots.STORE / name
    return path.read_bytes() if path.is_file() else None


def stored_inputs(root: Path, task: str, announce: Mapping, files: dict[str, bytes],
                  cache: dict) -> list[Verdict]:
    """Put into ``files`` each input the task's folder lacks, from the snapshot store by the
    announce entry's hash (PROTOCOL §11); one verdict per input so obtained. The bytes are then
    checked like the task's own files (canonical, hash and rows as announced)."""
    verdicts = []
    inputs = announce.get("inputs") or {}
    for name in snapshots.FILES:
        sha = (inputs.get(name) or {}).get("sha256") if isinstance(inputs, Mapping) else None
        if name in files or not isinstance(sha, str):
            continue
        try:
            got = snapshots.resolve(lambda n: read_snapshot_file(root, n), sha, cache)
        except ProtocolError as exc:
            verdicts.append(Verdict(task, f"snapshot.{name}", False, f"快照库中的 {name} 无法重建：{exc}"))
            continue
        if got is None:
            continue  # reported as a missing input file by the task's checks
        data, used = got
        files[name] = data
        ok = snapshots.sha256_hex(data) == sha
        verdicts.append(Verdict(task, f"snapshot.{name}", ok,
                                f"{name} 取自快照库 {'、'.join(used)}，"
                                + ("重建的字节与公告哈希一致" if ok else "重建的字节与公告哈希不一致")))
    return verdicts


def _tasks_in_log(entries: Sequence[Mapping]) -> list[str]:
    seen: list[str] = []
    for e in entries:
        if e["task"] not in seen:
            seen.append(e["task"])
    return seen


def _referenced(root: Path, files: Mapping[str, bytes]) -> dict[str, dict[str, str]]:
    """Tickets of revealed tasks that this task's exclusions name: {task: {code: ticket}}."""
    out: dict[str, dict[str, str]] = {}
    data = files.get("exclusions.csv")
    if not data:
        return out
    for line in data.decode("utf-8", "replace").splitlines()[1:]:
        ref = line.split(",")[2] if line.count(",") >= 3 else ""
        if ref and ref not in out:
            listing = read_task_files(root, ref).get("listing-0.csv")
            if listing is not None:
                out[ref] = {ln.code: ln.ticket for ln in parse_listing(listing)}
    return out


def verify_root(root: Path, tasks: Sequence[str] = (), since: bytes | None = None,
                draw_fn=None, require_anchors: bool = False) -> list[Verdict]:
    """Every verdict for the folder ``root``: the log first, then each task in log order.

    ``require_anchors`` (an auditor's setting): a task whose announcement time is not proven by
    an external anchor earlier than its earliest draw time fails instead of warning.

    ``draw_fn``: speed only — a function equal to ``protocol.engine.draw`` byte for byte that
    ``gongshi verify`` passes to use both cores; the standalone verify.py passes none."""
    verdicts: list[Verdict] = []
    log_files = read_log_files(root)
    if "log/draws.jsonl" not in log_files:
        return [Verdict("log", "log.present", False, f"{root} 中没有 log/draws.jsonl：不是公示台网站或数据目录")]
    for c in verify_log(log_files, since, anchors=False):
        verdicts.append(Verdict("log", c.name, c.ok, c.detail, c.severity))
    entries, _problem = parse_log_prefix(log_files["log/draws.jsonl"])  # problems: reported above
    wanted = list(tasks) or _tasks_in_log(entries)
    snapshot_cache: dict = {}  # snapshots by hash, shared by the tasks
    anchors = AnchorContext(log_files)
    for task in wanted:
        mine = [e for e in entries if e["task"] == task]
        announce = next((e for e in mine if e["type"] == "announce"), None)
        imports = [e for e in mine if e["type"] == "import"]
        if announce is None and imports:
            verdicts.extend(verify_imported(task, imports, mine, read_task_files(root, task)))
            continue
        if announce is None:
            verdicts.append(Verdict(task, "announce", False, f"日志中没有任务 {task} 的公告条目"))
            continue
        for c in anchor_checks(anchor_status(log_files, announce, anchors), require_anchors):
            verdicts.append(Verdict(task, c.name, c.ok, c.detail, c.severity))
        earlier = set()
        for e in entries[: announce["seq"]]:
            earlier.update(v for k, v in e.items() if k in ("commitment", "code"))
        files = read_task_files(root, task)
        verdicts += stored_inputs(root, task, announce, files, snapshot_cache)
        checks = verify_task(
            files,
            announce,
            next((e for e in mine if e["type"] == "draw"), None),
            [e for e in mine if e["type"] == "reassign"],
            next((e for e in mine if e["type"] == "reveal"), None),
            next((e for e in reversed(mine) if e["type"] == "publish"), None),
            earlier,
            _referenced(root, files),
            **({"draw_fn": draw_fn} if draw_fn is not None else {}),
            audits=[e for e in mine if e["type"] == "audit"],
            auditors_pub=log_files.get("log/auditors.pub"),
        )
        for c in checks:
            verdicts.append(Verdict(task, c.name, c.ok, c.detail, getattr(c, "severity", ERROR)))
    return verdicts


SOURCE_NAMES = {"platform": "部门协同监管平台抽取", "superior": "上级下发"}


def verify_imported(task: str, imports: Sequence[Mapping], mine: Sequence[Mapping],
                    files: Mapping[str, bytes]) -> list[Verdict]:
    """A list drawn elsewhere (PROTOCOL §8 "Imported lists"): this site cannot re-derive it, only
    show that the published list is the one fixed in the log at import, and its results."""
    import hashlib

    last = imports[-1]
    who = SOURCE_NAMES.get(last["source"], last["source"])
    out = [Verdict(task, "import.source", True,
                   f"名单由{who}（{last['issuer']}，{last['reference']}，{last['date']}），"
                   f"本站无法复算，只核验公布的名单即导入时记录的名单"
                   + (f"；名单更正 {len(imports) - 1} 次" if len(imports) > 1 else ""),
                   WARNING)]
    publish = next((e for e in reversed(mine) if e["type"] == "publish"), None)
    if publish is None:
        out.append(Verdict(task, "import.pending", True, "结果尚未公示，名单按规定尚未公开"))
        return out
    data = files.get("imported.csv")
    if data is None:
        out.append(Verdict(task, "import.list", False, "结果已公示，但缺少名单文件 imported.csv"))
    else:
        got = hashlib.sha256(data).hexdigest()
        rows = max(0, len(data.splitlines()) - 1)
        ok = got == last["list_sha256"] and rows == last["rows"]
        out.append(Verdict(task, "import.list", ok,
                           f"imported.csv 的 SHA-256 {got}（{rows} 行）"
                           + ("与" if ok else "与日志不符：")
                           + f"日志第 {last['seq'] + 1} 条记录的 {last['list_sha256']}（{last['rows']} 行）"
                           + ("一致" if ok else "")))
    results = files.get("results.csv")
    got = hashlib.sha256(results).hexdigest() if results is not None else None
    out.append(Verdict(task, "publish.results", got == publish["results_sha256"],
                       f"results.csv 的 SHA-256 {got or '（缺少文件）'}，日志记录 {publish['results_sha256']}"))
    return out


def failed(verdicts: Sequence[Verdict]) -> bool:
    return any(not v.ok and v.severity == ERROR for v in verdicts)


def report(verdicts: Sequence[Verdict], out=None, as_json: bool = False) -> None:
    out = out or sys.stdout
    if as_json:
        body = [v.__dict__ for v in verdicts]
        print(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True), file=out)
        return
    for v in verdicts:
        print(v.line(), file=out)
    bad = sum(1 for v in verdicts if not v.ok and v.severity == ERROR)
    warn = sum(1 for v in verdicts if not v.ok and v.severity == WARNING)
    ok = sum(1 for v in verdicts if v.ok)
    verdict = "核验不通过" if bad else "核验通过"
    print(f"{verdict}：{ok} 项通过，{bad} 项不一致，{warn} 项警告。", file=out)


SITE_HINT = ("verify.py：核验的是本地文件夹，不能直接读取网址。请在网站的“在线核验”页面下载核验包 "
             "gongshi-verify.zip，然后运行：\n"
             "  python3 -m zipfile -e gongshi-verify.zip .\n"
             "  python3 gongshi-verify/verify.py gongshi-verify")
EXAMPLES = """示例：
  python3 -m zipfile -e gongshi-verify.zip .      解压网站“在线核验”页面提供的核验包
  python3 gongshi-verify/verify.py gongshi-verify 核验全部任务
  python3 verify.py 网站目录 2023-01              只核验任务 2023-01
  python3 verify.py 网站目录 --since 旧检查点文件  并证明日志自旧检查点以来只增未改
退出码：0 全部通过；1 有不一致；2 参数或目录错误。"""


def main(argv: Sequence[str] | None = None, draw_fn=None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    if any(a == "--site" or a.startswith("--site=") for a in argv):
        print(SITE_HINT, file=sys.stderr)
        return 2
    parser = ChineseArgumentParser(
        prog="verify.py",
        # given, not composed: argparse's line wrapping miscounts a prefix other than "usage: "
        usage="%(prog)s [-h] 目录 [任务编号 ...] [--since 检查点文件] [--json] [--require-anchors]",
        description="核验公示台网站（或其数据目录）中的抽取日志和每个任务的抽取。只读取公开材料，"
                    "不联网。",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("root", metavar="目录", help="下载的网站目录，或 data/ 目录")
    parser.add_argument("tasks", nargs="*", metavar="任务编号", help="只核验这些任务（默认全部）")
    parser.add_argument("--since", metavar="检查点文件", help="以前保存的检查点：证明日志只增不改")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出")
    parser.add_argument("--require-anchors", action="store_true",
                        help="要求每个任务的公告时间经外部证明（早于开奖的 RFC 3161 时间戳或见证人副署），"
                             "否则核验不通过（审计人员使用）")
    args = parser.parse_intermixed_args(argv)  # options may follow the task ids
    root = Path(args.root)
    if not root.is_dir():
        print(f"verify.py：找不到目录 {root}", file=sys.stderr)
        return 2
    since = Path(args.since).read_bytes() if args.since else None
    verdicts = verify_root(root, args.tasks, since, draw_fn, args.require_anchors)
    report(verdicts, as_json=args.json)
    return 1 if failed(verdicts) else 0
