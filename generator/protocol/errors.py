"""The one error type of the protocol: what was expected, what was found, and where.

``rule`` is a short machine id (``canonical``, ``params``, ``ratio``, ``entropy``, ``floor``,
``timing``, ``feasibility``, ``source-number``, ``ids``, ``exclusion``, ``reassign``, ``draw``);
the message is Chinese and meant for office staff.
"""

from __future__ import annotations


class ProtocolError(ValueError):
    """A refusal of PROTOCOL.md: bad input, never a bug in this code."""

    def __init__(
        self,
        rule: str,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,  # 1-based; the header of a CSV file is line 1
        column: int | None = None,  # 1-based field number
    ) -> None:
        self.rule = rule
        self.file = file
        self.line = line
        self.column = column
        self.detail = message
        super().__init__(self._text())

    def _text(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"第 {self.line} 行")
        if self.column is not None:
            where.append(f"第 {self.column} 列")
        prefix = "，".join(where)
        return f"{prefix}：{self.detail}" if prefix else self.detail

    @property
    def message(self) -> str:
        return str(self)
