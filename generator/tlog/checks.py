"""The result of one verification step: a small frozen record any verifier can print.

Standard library only (bundled into the standalone ``verify.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Check:
    name: str  # stable id, e.g. "log.chain", "log.checkpoint.signature"
    ok: bool
    detail: str  # 中文：what was checked, or what differs and where (seq, entry, file)
    severity: str = ERROR  # "error" | "warning": how much a failure weighs

    @property
    def failed_error(self) -> bool:
        return not self.ok and self.severity == ERROR


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail, ERROR)


def failed(name: str, detail: str, severity: str = ERROR) -> Check:
    return Check(name, False, detail, severity)
