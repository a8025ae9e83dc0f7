"""``gongshi audit TASK --auditor NAME --verdict ok|mismatch --key PATH`` (PROTOCOL §13).

Appends the auditor's ``audit`` entry, signed with the auditor's Ed25519 key (a Go
``sumdb/note`` private key file whose name is NAME), and publishes the auditor's verifier key in
``log/auditors.pub``.
"""

from __future__ import annotations

from ._draws import add_common, run_operation


def register(subparsers) -> None:
    p = subparsers.add_parser("audit", help="记录审计人员对审计模式任务的签名结论")
    p.add_argument("task", metavar="任务编号")
    p.add_argument("--auditor", required=True, metavar="名称", help="审计人员名称（须为揭示时指定的审计人员，且与私钥名称相同）")
    p.add_argument("--verdict", required=True, choices=("ok", "mismatch"), help="ok（一致）或 mismatch（不一致）")
    p.add_argument("--key", required=True, metavar="私钥文件", help="审计人员的签名私钥文件")
    add_common(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..draws.audit import record_audit

    return run_operation(
        args, lambda ws, _m: record_audit(ws, args.task, args.auditor, args.verdict, args.key),
        needs_model=False,
    )
