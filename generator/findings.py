"""Findings: what a loader or a check reports to the office.

A finding is data (severity, file, row, column, value, message, fix, rule) with one text view
and one JSON view. Messages and fixes are in Simplified Chinese. A bug in our own code is an
exception, never a finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from .model import Origin

ERROR = "error"
WARNING = "warning"

_SEVERITY_LABEL = {ERROR: "错误", WARNING: "警告"}


@dataclass(frozen=True)
class Finding:
    severity: str  # "error" | "warning"
    rule: str  # stable rule id, e.g. "uscc.checksum"
    message: str  # 中文：what is wrong (expected vs found)
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    fix: str = ""  # 中文：how to fix it
    task: str | None = None

    @classmethod
    def at(
        cls,
        severity: str,
        rule: str,
        message: str,
        origin: Origin | None,
        *,
        column: str | None = None,
        value: object = None,
        fix: str = "",
        task: str | None = None,
    ) -> Finding:
        return cls(
            severity=severity,
            rule=rule,
            message=message,
            file=origin.file if origin else None,
            row=origin.row if origin else None,
            column=column if column is not None else (origin.column if origin else None),
            value=None if value is None else str(value),
            fix=fix,
            task=task,
        )

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"文件 {self.file}")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列「{self.column}」")
        return "，".join(parts)

    def text(self) -> str:
        head = f"[{_SEVERITY_LABEL.get(self.severity, self.severity)}] "
        loc = self.location()
        line = head + (loc + "：" if loc else "") + self.message
        if self.value is not None:
            line += f"（值：{_show(self.value)}）"
        if self.fix:
            line += f"\n    如何修改：{self.fix}"
        return line

    def as_dict(self) -> dict:
        return asdict(self)


def _show(value: str, limit: int = 80) -> str:
    shown = value if len(value) <= limit else value[:limit] + "…"
    return repr(shown)[1:-1] if any(ord(c) < 32 for c in shown) else f"「{shown}」"


class DataError(Exception):
    """Raised at the edge when the data has errors; carries every finding."""

    def __init__(self, findings: Iterable[Finding]):
        self.findings = tuple(findings)
        super().__init__("\n".join(f.text() for f in self.findings if f.is_error))


# A file whose header is wrong is read no further: findings that only restate it are dropped.
_FILE_LEVEL = ("schema.missing_column", "schema.title_row", "schema.file")
_DERIVED = ("references.missing_result",)


def without_derived(findings: Iterable[Finding]) -> list[Finding]:
    """The findings less those derived from a file-level error of the same file (a results file
    whose 检查结果 column is misspelt is one error, not one "没有检查结果" per enterprise too)."""
    items = list(findings)
    broken = {_stem(f.file) for f in items if f.rule in _FILE_LEVEL and f.file}
    return [f for f in items if not (f.rule in _DERIVED and f.file and _stem(f.file) in broken)]


def _stem(file: str) -> str:
    return file.rsplit(".", 1)[0] if "/" not in file.rsplit(".", 1)[-1] else file


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    order = {ERROR: 0, WARNING: 1}
    return sorted(
        findings,
        key=lambda f: (order.get(f.severity, 2), f.file or "", f.row or 0, f.column or "", f.rule),
    )


def summary(findings: Iterable[Finding]) -> str:
    fs = list(findings)
    errors = sum(1 for f in fs if f.is_error)
    warnings = sum(1 for f in fs if f.severity == WARNING)
    return f"共 {errors} 个错误，{warnings} 个警告。"


def to_json(findings: Iterable[Finding]) -> str:
    fs = sort_findings(findings)
    body = {
        "errors": sum(1 for f in fs if f.is_error),
        "warnings": sum(1 for f in fs if f.severity == WARNING),
        "findings": [f.as_dict() for f in fs],
    }
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True)
