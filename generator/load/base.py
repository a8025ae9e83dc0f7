"""What every loader shares: the collector of findings and small value parsers.

Loaders never stop at the first problem: each appends findings to a :class:`LoadContext` and
goes on with the next row (MkDocs' configuration validation works the same way), so the office
fixes everything in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidLength, ValidationError

from ..findings import ERROR, WARNING, Finding
from ..model import Origin
from ..protocol.encoding import USCC_ALPHABET, USCC_WEIGHTS

ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SPLIT = re.compile(r"[、;；,，\r\n]+")
TRUE_WORDS = {"是", "有", "y", "yes", "true", "1", "√", "✓", "具备", "具有"}
FALSE_WORDS = {"否", "无", "n", "no", "false", "0", "×", "不具备", "不具有"}


@dataclass
class LoadContext:
    data_dir: Path
    findings: list[Finding] = field(default_factory=list)

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.data_dir).as_posix()
        except ValueError:
            return path.as_posix()

    def error(self, rule: str, message: str, origin: Origin | None, **kw) -> None:
        self.findings.append(Finding.at(ERROR, rule, message, origin, **kw))

    def warning(self, rule: str, message: str, origin: Origin | None, **kw) -> None:
        self.findings.append(Finding.at(WARNING, rule, message, origin, **kw))


def text(value: object) -> str:
    """A cell as text: None -> '', NFC, stripped; integral floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def split_multi(value: object) -> tuple[str, ...]:
    """A multi-valued cell (、 ; ； , ， or line breaks) or a YAML list -> unique values in order."""
    if value is None:
        return ()
    parts = value if isinstance(value, list | tuple) else _SPLIT.split(text(value))
    out: list[str] = []
    for part in parts:
        t = text(part)
        if t and t not in out:
            out.append(t)
    return tuple(out)


def parse_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    t = text(value).lower()
    if t in TRUE_WORDS:
        return True
    if t in FALSE_WORDS:
        return False
    return None


_COMPACT = re.compile(r"[0-9A-Z]+")
# GB 32100: 8 digits, then 10 characters of this alphabet; check = (31 - Σ value·weight) mod 31.
_USCC = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")
_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}


def compact_code(value: object) -> str:
    """NFKC, upper case, no spaces or hyphens (python-stdnum ``compact``)."""
    t = text(value)
    if _COMPACT.fullmatch(t):  # already compact (the common case): python-stdnum is slow
        return t
    return uscc.compact(unicodedata.normalize("NFKC", t).replace("\u3000", ""))


def code_problem(code: str) -> str | None:
    """Why a compacted 统一社会信用代码 is invalid (Chinese), or None when it is valid."""
    if _USCC.fullmatch(code):  # fast path for valid codes (500,000-row directories)
        total = sum(_VALUE[c] * w for c, w in zip(code, USCC_WEIGHTS, strict=False))
        if code[17] == USCC_ALPHABET[(31 - total) % 31]:
            return None
    try:
        uscc.validate(code)
    except InvalidLength:
        return f"统一社会信用代码应为 18 位，实际为 {len(code)} 位"
    except InvalidChecksum:
        return (
            "统一社会信用代码校验位不正确（GB 32100：第 18 位应为 "
            f"{uscc.calc_check_digit(code[:17])}）"
        )
    except ValidationError:
        return "统一社会信用代码格式不正确（前 8 位应为数字，其余为 0-9 和除 I、O、S、V、Z 外的大写字母）"
    return None


CODE_FIX = "请对照营业执照核对并改正该代码；若企业确无该代码，请从本文件中删除此行。"
EXCEL_CODE_FIX = (
    "在 Excel 中选中整列，“设置单元格格式”为“文本”，再从营业执照或原始系统重新输入或粘贴这些代码"
    "（改回数字格式无法找回已丢失的位数）；另存为 CSV 前也请先设为文本。"
)
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]{1,2}", re.IGNORECASE)


def excel_code_problem(raw: str, code: str) -> str | None:
    """Why a code that fails validation looks mangled by Excel (Chinese), or None: scientific
    notation (9.14199991530352E+17), or 18 digits ending in 000 (Excel keeps 15 significant
    digits of a number)."""
    value = unicodedata.normalize("NFKC", raw).strip()
    if _SCIENTIFIC.fullmatch(value):
        return (f"统一社会信用代码「{value}」被 Excel 当作数字，显示成了科学计数法，"
                "第 16 位以后的字符已经丢失")
    if len(code) == 18 and code.isdigit() and code.endswith("000"):
        return (f"统一社会信用代码「{code}」以 000 结尾且校验位不符：多半被 Excel 当作数字，"
                "只保留了 15 位有效数字，后 3 位变成了 0")
    return None


def code_message(raw: str, code: str, problem: str) -> tuple[str, str]:
    """(message, fix) for an invalid code: Excel's mangling named when it is the cause."""
    excel = excel_code_problem(raw, code)
    return (excel, EXCEL_CODE_FIX) if excel else (problem, CODE_FIX)


def resolve_unit(units: tuple, value: str) -> str | None:
    """A unit written as its id or its name -> its id (ids compare ignoring case)."""
    for u in units:
        if u.id == value or u.name == value:
            return u.id
    low = value.lower()
    for u in units:
        if u.id.lower() == low:
            return u.id
    return None
