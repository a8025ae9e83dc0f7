"""Personal data and credit-risk classes in free text, however they are written.

One normaliser (:mod:`.normalise`) in front of the rules (:mod:`.rules`), used by
``gongshi check`` (``generator.checks.pii``, an error naming file, row and column), by the
build's final scan (``generator.site.leak``, through the fast path :mod:`.scan`) and by every
command before it writes free text into the draw log (:func:`refusal`: the command refuses and
the log is not touched).

For a command that writes free text (a reason, a note) into the log::

    from generator.privacy import refusal
    problem = refusal("--reason", text)   # None, or a Chinese message naming the option and rule
    if problem:
        raise DrawRefused(problem)
"""

from __future__ import annotations

from collections.abc import Mapping

from .normalise import normalise
from .rules import WHAT, Hit, find

__all__ = ["WHAT", "Hit", "find", "normalise", "refusal", "refusals"]


def _shown(value: str) -> str:
    """A found value as a message shows it: enough to find it, not enough to republish it."""
    return value if len(value) <= 4 else value[:3] + "*" * (len(value) - 5) + value[-2:]


def refusal(option: str, text: str) -> str | None:
    """A Chinese message when ``text`` (given as ``option``, e.g. ``--reason``) holds personal
    data or a credit-risk class, else None. The message names the option and the rule."""
    hits = find(text)
    if not hits:
        return None
    found = "、".join(f"{h.what}（规则 {h.rule}，「{_shown(h.value)}」）" for h in hits)
    return (f"{option} 中出现{found}。这段文字会写入抽取日志并永久公开（日志只能追加，不能修改），"
            f"个人信息和信用风险分类不得写入；请删除后重新执行，日志未作任何改动。")


def refusals(fields: Mapping[str, str]) -> list[str]:
    """:func:`refusal` for each (option or field name, text)."""
    return [msg for name, text in fields.items() if text and (msg := refusal(name, text))]
