"""``gongshi anchor SEQ --kind notice|rfc3161|cosignature (--ref REF | --file FILE) [--tsa-cert PEM]``.

Records the external anchor of log entry SEQ (normally an announce entry) in
``log/anchors/<SEQ>.json`` with the current time (system clock): a notice on the national
公示系统 or the government portal (``notice``, REF = its URL), an RFC 3161 time-stamp token over
a checkpoint that includes the entry (``rfc3161``: REF = the token in base64, or FILE = the
TSA's reply ``.tsr`` or the token in DER), or a witness cosignature (``cosignature``: REF or
FILE = the cosigned checkpoint note). ``--tsa-cert`` publishes the TSA's certificate in
``log/tsa/``. An ``rfc3161`` or ``cosignature`` anchor is checked with the verifier's own code
before it is recorded: one that would not verify is refused.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from ._draws import add_common

KINDS = ("notice", "rfc3161", "cosignature")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "anchor", help="记录日志条目的外部锚定（RFC 3161 时间戳、见证人副署或公示系统公告）",
        description="把公告条目锚定到本机关以外：对包含该条目的检查点申请 RFC 3161 时间戳（推荐），"
                    "或取得见证人副署；记录前先按核验规则检查，不通过则拒绝记录。")
    p.add_argument("seq", type=int, metavar="SEQ", help="被锚定条目的序号（通常是 announce 条目）")
    p.add_argument("--kind", required=True, choices=KINDS, help="锚定方式")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--ref", metavar="REF", help="公告网址，或 base64 编码的时间戳凭证/副署检查点")
    what.add_argument("--file", metavar="文件", help="时间戳机构的应答（.tsr）或凭证（DER），或副署的检查点文件")
    p.add_argument("--tsa-cert", metavar="PEM", help="时间戳机构的证书（PEM），发布到 log/tsa/")
    add_common(p, demo_time=False)
    p.set_defaults(func=run)


def _ref(args) -> str:
    if args.ref is not None:
        return args.ref
    data = Path(args.file).read_bytes()
    if args.kind == "rfc3161":
        from ..tlog.rfc3161 import token_from_response

        data = token_from_response(data)
    elif args.kind == "notice":
        return data.decode("utf-8").strip()
    return base64.b64encode(data).decode("ascii")


def _publish_cert(ws, path: str) -> Path:
    from ..fileio import write_atomic
    from ..tlog.rfc3161 import parse_pem_certificates

    data = Path(path).read_bytes()
    certs = parse_pem_certificates(data)
    target = ws.log_dir / "tsa" / f"{certs[0].fingerprint[:16]}.pem"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data)
    return target


def _check(ws, seq: int, kind: str, ref: str) -> str | None:
    """What is wrong with the anchor, checked as ``verify`` will check it; None if nothing."""
    from ..draws.record import read_record
    from ..tlog.anchors import anchor_status, format_anchor

    record = read_record(ws.data_dir)
    entry = record.entries[seq] if 0 <= seq < len(record.entries) else None
    if entry is None:
        return None  # the store names the missing seq
    files = dict(record.log_files)
    files[f"log/anchors/{seq}.json"] = format_anchor(seq, kind, ref, "2000-01-01T00:00:00Z")
    status = anchor_status(files, entry)
    return status.problem


def run(args) -> int:
    from ..draws.workspace import Workspace
    from ..tlog.entries import LogError
    from ..tlog.note import NoteError
    from ..tlog.rfc3161 import TokenError
    from ..tlog.store import LogStore

    ws = Workspace.at(args.data, args.secrets)
    if not ws.log_file.exists():
        print(f"gongshi：找不到抽取日志 {ws.log_file}。", file=sys.stderr)
        return 1
    if args.seq < 0:
        print(f"gongshi：SEQ 须为非负整数，实际为 {args.seq}。", file=sys.stderr)
        return 1
    try:
        ref = _ref(args)
        published = _publish_cert(ws, args.tsa_cert) if args.tsa_cert else None
    except OSError as exc:
        print(f"gongshi：无法读取文件：{exc}", file=sys.stderr)
        return 1
    except (TokenError, NoteError, ValueError) as exc:
        print(f"gongshi：{exc}", file=sys.stderr)
        return 1
    if published:
        print(f"已发布时间戳机构证书 {published}。")
    if args.kind != "notice":
        problem = _check(ws, args.seq, args.kind, ref)
        if problem:
            print(f"gongshi：拒绝记录：{problem}", file=sys.stderr)
            return 1
    now = ws.now()
    try:
        LogStore(ws.log_dir, ws.key_file).record_anchor(args.seq, args.kind, ref, now)
    except LogError as exc:
        print(f"gongshi：{exc}", file=sys.stderr)
        return 1
    shown = ref if args.kind == "notice" else f"{len(ref)} 个 base64 字符"
    print(f"已记录第 {args.seq} 条的外部锚定（{args.kind}，{shown}），时间 {now:%Y-%m-%dT%H:%M:%SZ}。")
    return 0
