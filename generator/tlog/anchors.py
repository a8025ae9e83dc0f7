"""External anchors of log entries: ``log/anchors/<seq>.json`` (protocol page §16, §17).

Standard library only (bundled into the standalone ``verify.py``); no I/O.

An anchor file is the JCS of ``{"kind", "ref", "seq", "time"}`` and LF: ``kind`` is
``notice`` (a notice on the national 公示系统 or the government portal), ``rfc3161`` (an
RFC 3161 timestamp over a checkpoint that includes the entry) or ``cosignature`` (a witness
cosignature of such a checkpoint); ``ref`` is the URL, the token in base64 or the cosigned
checkpoint note in base64; ``time`` is when the office recorded it, ``YYYY-MM-DDTHH:MM:SSZ``.

``anchor_status`` decides whether an announce entry's time is proven from outside: only an
``rfc3161`` token (checked against a TSA certificate published in ``log/tsa/``) or a
``cosignature`` (by a witness of ``log/witnesses.pub``) proves a time offline, and it must be
earlier than the earliest scheduled draw time of the task's sources. Otherwise the task is
shown as "公告时间未经外部证明" (a warning; an error with ``--require-anchors``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from . import cosign, rfc3161
from ._jcs import dumps as jcs_dumps
from .checks import WARNING, Check, failed, passed
from .entries import valid_time
from .note import NoteError, parse_key_file, parse_note

KINDS = ("notice", "rfc3161", "cosignature")
LEAD = timedelta(hours=24)  # a notice is recorded at least 24 h before the first source's time
TSA_DIR = "log/tsa/"
CHECKPOINTS_DIR = "log/checkpoints/"
UNPROVEN = "公告时间未经外部证明"
PROVING = ("rfc3161", "cosignature")  # the kinds whose time a verifier checks offline


def anchor_path(seq: int) -> str:
    return f"log/anchors/{seq}.json"


def format_anchor(seq: int, kind: str, ref: str, time: str) -> bytes:
    anchor = {"kind": kind, "ref": ref, "seq": seq, "time": time}
    problem = anchor_problem(anchor, seq)
    if problem:
        raise ValueError(problem)
    return jcs_dumps(anchor) + b"\n"


def anchor_problem(anchor: Any, seq: int) -> str | None:
    if not isinstance(anchor, dict) or set(anchor) != {"kind", "ref", "seq", "time"}:
        return "锚定记录应恰有 kind、ref、seq、time 四个字段"
    if anchor["kind"] not in KINDS:
        return f"锚定方式应为 {'、'.join(KINDS)} 之一，实为 {anchor['kind']!r}"
    if not isinstance(anchor["ref"], str) or not anchor["ref"]:
        return "锚定记录的 ref（网址或 base64 凭证）不能为空"
    if anchor["seq"] != seq:
        return f"锚定记录的 seq 应为 {seq}，实为 {anchor['seq']!r}"
    if not valid_time(anchor["time"]):
        return f"锚定时间应为 YYYY-MM-DDTHH:MM:SSZ，实为 {anchor['time']!r}"
    return None


def parse_anchor(data: bytes, seq: int) -> dict[str, Any]:
    """Parse an anchor file; ValueError (Chinese) unless it is canonical and well-formed."""
    try:
        anchor = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValueError("锚定记录不是 JSON") from None
    problem = anchor_problem(anchor, seq)
    if problem:
        raise ValueError(problem)
    if jcs_dumps(anchor) + b"\n" != data:
        raise ValueError("锚定记录不是 RFC 8785 规范形式加换行")
    return anchor


def earliest_draw_time(announce: Mapping[str, Any]) -> datetime | None:
    """The earliest scheduled draw time among the task's sources (not the first listed)."""
    times = []
    try:
        for source in announce["sources"]:
            scheduled = datetime.fromisoformat(source["scheduled"])
            if scheduled.tzinfo is None:
                return None
            times.append(scheduled.astimezone(UTC))
    except (KeyError, TypeError, ValueError):
        return None
    return min(times) if times else None


def anchor_deadline(announce: Mapping[str, Any]) -> datetime | None:
    """The latest acceptable recorded time of a notice: the first listed source's scheduled
    time minus 24 h (the rule of protocol 1, kept unchanged so that old logs verify as before;
    a notice proves no time anyway)."""
    try:
        scheduled = datetime.fromisoformat(announce["sources"][0]["scheduled"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if scheduled.tzinfo is None:
        return None
    return scheduled.astimezone(UTC) - LEAD


def parse_time(time: str) -> datetime:
    return datetime.strptime(time, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class AnchorStatus:
    """What the anchor of one announce entry shows (the site and the verifiers print it)."""

    seq: int
    task: str
    kind: str | None  # None: no anchor file
    proven: bool  # a verified rfc3161/cosignature time earlier than the earliest draw time
    time: str | None  # the proven time, or the recorded time of a notice
    earliest: str | None  # the earliest scheduled draw time (UTC)
    detail: str  # 中文: what was found
    problem: str | None = None  # an inconsistency: the anchor is wrong or too late (error)
    warning: str | None = None  # why the time is not proven
    own_host: bool = False  # a notice on the portal's own host: the office's own word

    @property
    def label(self) -> str:
        return "公告时间已经外部证明" if self.proven else UNPROVEN


class AnchorContext:
    """What every anchor of one published log shares, read once: the TSA certificates, the
    witness keys, the kept checkpoints (by size, by digest, by note body) and the own host."""

    def __init__(self, files: Mapping[str, bytes]):
        self.files = files
        self.certs: list[rfc3161.Certificate] = []
        self.cert_problems: list[str] = []
        for path in sorted(p for p in files if p.startswith(TSA_DIR)):
            try:
                self.certs += rfc3161.parse_pem_certificates(files[path])
            except rfc3161.TokenError as exc:
                self.cert_problems.append(f"{path}：{exc}")
        self.checkpoints: dict[int, bytes] = {}
        for path, data in files.items():
            name = path[len(CHECKPOINTS_DIR):] if path.startswith(CHECKPOINTS_DIR) else ""
            if name.isdigit() and str(int(name)) == name:
                self.checkpoints[int(name)] = data
        self._digests: dict[str, dict[bytes, int]] = {}
        self._bodies: dict[str, int] | None = None
        try:
            self.own_host: str | None = parse_key_file(files.get("log/key.pub", b"")).name
            self.own_host = self.own_host.split("/")[0].lower()
        except NoteError:
            self.own_host = None

    def by_digest(self, hash_name: str, digest: bytes, seq: int) -> int | None:
        """The size of a kept checkpoint including entry ``seq`` whose digest is ``digest``."""
        if hash_name not in self._digests:
            table: dict[bytes, int] = {}
            for size in sorted(self.checkpoints, reverse=True):  # the smallest size wins
                table[hashlib.new(hash_name, self.checkpoints[size]).digest()] = size
            self._digests[hash_name] = table
        size = self._digests[hash_name].get(digest)
        return size if size is not None and size > seq else None

    def by_body(self, body: str, seq: int) -> int | None:
        """The size of a kept checkpoint including entry ``seq`` whose note body is ``body``."""
        if self._bodies is None:
            self._bodies = {}
            for size in sorted(self.checkpoints, reverse=True):
                try:
                    self._bodies[parse_note(self.checkpoints[size]).text] = size
                except NoteError:
                    continue
        size = self._bodies.get(body)
        return size if size is not None and size > seq else None


def _b64(ref: str, what: str) -> bytes:
    try:
        return base64.b64decode(ref, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what}不是标准 base64") from None


def _rfc3161_time(ctx: AnchorContext, anchor: Mapping[str, Any]) -> tuple[datetime, str]:
    token = _b64(anchor["ref"], "RFC 3161 时间戳凭证")
    if not ctx.certs:
        raise ValueError("网站没有公布时间戳机构证书（log/tsa/*.pem）" + (
            "：" + "；".join(ctx.cert_problems) if ctx.cert_problems else ""))
    hash_name, hashed = rfc3161.imprint_of(token)
    size = ctx.by_digest(hash_name, hashed, anchor["seq"]) if hash_name else None
    if size is None:
        raise ValueError(f"时间戳的消息摘要不是任何包含 seq {anchor['seq']} 的检查点"
                         f"（log/checkpoints/<树大小>）的摘要")
    stamp = rfc3161.verify_token(token, ctx.certs, ctx.checkpoints[size])
    return stamp.gen_time, (
        f"RFC 3161 时间戳：{stamp.tsa.subject_cn or '时间戳机构'}（证书 SHA-256 "
        f"{stamp.tsa.fingerprint[:16]}…）证明 log/checkpoints/{size} 在 {_stamp(stamp.gen_time)} 已存在"
    )


def _cosignature_time(ctx: AnchorContext, anchor: Mapping[str, Any]) -> tuple[datetime, str]:
    note = _b64(anchor["ref"], "见证人副署")
    if cosign.WITNESSES not in ctx.files:
        raise ValueError(f"网站没有公布见证人公钥 {cosign.WITNESSES}")
    witnesses = cosign.parse_witnesses(ctx.files[cosign.WITNESSES])
    signed = cosign.verify_cosigned(note, witnesses)
    size = ctx.by_body(signed.body, anchor["seq"])
    if size is None:
        raise ValueError(f"副署的检查点不是任何包含 seq {anchor['seq']} 的已发布检查点")
    return signed.time, (
        f"见证人 {signed.witness.name} 于 {_stamp(signed.time)} 副署了 log/checkpoints/{size}"
    )


def anchor_status(files: Mapping[str, bytes], announce: Mapping[str, Any],
                  ctx: AnchorContext | None = None) -> AnchorStatus:
    """The anchor of ``announce`` as the published log files show it. ``ctx``: an
    ``AnchorContext(files)`` shared by the calls over one log (speed only)."""
    ctx = ctx if ctx is not None and ctx.files is files else AnchorContext(files)
    seq, task, path = announce["seq"], announce["task"], anchor_path(announce["seq"])
    earliest = earliest_draw_time(announce)
    early = _stamp(earliest) if earliest else None
    data = files.get(path)
    if data is None:
        return AnchorStatus(seq, task, None, False, None, early, f"没有外部锚定记录 {path}",
                            warning=f"没有外部锚定记录 {path}")
    try:
        anchor = parse_anchor(data, seq)
    except ValueError as exc:
        return AnchorStatus(seq, task, None, False, None, early, f"{path}：{exc}",
                            problem=f"{path}：{exc}")
    kind = anchor["kind"]
    if kind == "notice":
        return _notice_status(ctx, anchor, announce, early)
    try:
        moment, detail = (_rfc3161_time if kind == "rfc3161" else _cosignature_time)(ctx, anchor)
    except (ValueError, NoteError) as exc:
        return AnchorStatus(seq, task, kind, False, None, early, f"{path}：{exc}",
                            problem=f"{path}：{exc}")
    if earliest is not None and moment >= earliest:
        problem = (f"{path}：{detail}，不早于最早的随机源开奖时间 {early}："
                   f"公告可能是开奖后才做的（倒签）")
        return AnchorStatus(seq, task, kind, False, _stamp(moment), early, problem, problem=problem)
    return AnchorStatus(seq, task, kind, earliest is not None, _stamp(moment), early,
                        f"{detail}，早于最早的随机源开奖时间 {early}")


def _notice_status(ctx: AnchorContext, anchor: Mapping[str, Any],
                   announce: Mapping[str, Any], early: str | None) -> AnchorStatus:
    task = announce["task"]
    seq, ref, path = anchor["seq"], anchor["ref"], anchor_path(anchor["seq"])
    deadline = anchor_deadline(announce)
    if deadline is not None and parse_time(anchor["time"]) > deadline:
        problem = (f"{path}：锚定时间 {anchor['time']} 晚于首个随机源开奖前 24 小时"
                   f"（{_stamp(deadline)}）")
        return AnchorStatus(seq, task, "notice", False, anchor["time"], early, problem,
                            problem=problem)
    host = (urlsplit(ref).hostname or "") if ref.startswith(("http://", "https://")) else ""
    own = ctx.own_host
    mine = bool(host) and own is not None and (host == own or host.endswith("." + own))
    if not host:
        why = f"公告 {ref!r} 不是网址，无法核对"
    elif mine:
        why = (f"公告网址 {ref} 在本门户自己的主机 {host} 上：这只是机关自己的说法，"
               f"不能证明公告早于开奖")
    else:
        why = f"公告 {ref} 的时间只能到该网址人工核对，核验程序无法离线证明"
    return AnchorStatus(seq, task, "notice", False, anchor["time"], early,
                        f"已记录公告（{ref}，{anchor['time']}）", warning=why, own_host=mine)


def anchor_checks(status: AnchorStatus, require: bool = False) -> list[Check]:
    """One ``log.anchors`` check: an inconsistent or too late anchor is an error; a time not
    proven from outside is a warning, or an error when ``require`` (``--require-anchors``)."""
    what = f"任务 {status.task} 的 announce 条目（seq {status.seq}）"
    if status.problem:
        return [failed("log.anchors", f"{what}：{status.problem}")]
    if status.proven:
        return [passed("log.anchors", f"{what}：公告时间已经外部证明——{status.detail}")]
    why = status.warning or status.detail
    return [failed("log.anchors", f"{what}：{UNPROVEN}——{why}", "error" if require else WARNING)]
