"""统一社会信用代码 (GB 32100-2015) check characters, via python-stdnum, everywhere a code is
held: the directory, results and recusal lists. Names the row (and the code's holder)."""

from __future__ import annotations

from ..findings import ERROR, Finding
from ..load.base import CODE_FIX, code_problem
from ..model import Model, Origin
from ..protocol.scan import codes_valid
from .cache import directory_findings
from .context import CheckContext


def _one(code: str, origin: Origin | None, column: str, task: str | None = None) -> list[Finding]:
    problem = code_problem(code)
    if problem is None and code == code.strip().upper():
        return []
    rule = "uscc.checksum" if problem and "校验位" in problem else "uscc.format"
    return [Finding.at(ERROR, rule, problem or "统一社会信用代码应为大写且无空格", origin, column=column,
                       value=code, fix=CODE_FIX, task=task)]


def _directory(enterprises) -> list[Finding]:
    out: list[Finding] = []
    batches = getattr(enterprises, "batches", None)
    if batches is None:
        for code, e in enterprises.items():
            out += _one(code, e.origin, "统一社会信用代码")
    else:  # a large directory, column-wise: rows looked at one by one only in a bad batch
        for c in batches():
            codes = c["code"]
            if codes_valid("\n".join(codes).encode("ascii"), len(codes)):
                continue
            for code, file, row in zip(codes, c["file"], c["row"], strict=True):
                out += _one(code, Origin(file, row), "统一社会信用代码")
    return out


def check(model: Model, ctx: CheckContext) -> list[Finding]:
    out = directory_findings(ctx, model.enterprises, "uscc",
                             lambda: _directory(model.enterprises))
    for task_id, results in model.results.items():
        for r in results:
            out += _one(r.code, r.origin, "统一社会信用代码", task_id)
    for person in (*model.inspectors, *model.experts):
        for code in person.recusals:
            out += _one(code, person.origin, "回避")
    return out
