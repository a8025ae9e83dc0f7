"""No personal data or credit-risk class enters the draw log (or a file the log commits to).

The log is append-only and published for ever: a free text written into it can never be taken
back. Every command checks the free text it is about to write with the rules of
``generator.privacy`` (the one normaliser, then ID, mobile and landline numbers and credit-risk
classes in words) and refuses before it writes anything: the log stays byte-identical.

- :func:`refuse_personal` for a command's own options (``cancel --reason``; a correction's
  reason): the message names the option and the rule;
- :func:`entry_free_text`: the free-text fields of any entry, checked once more by
  ``logio.append_entry`` right before the append (a command that forgot is refused there);
- :func:`params_free_text`: the strings of a task's parameters (``commit``: ``params.json`` is
  committed to by the announce entry, its sources are copied into it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ..privacy import refusals
from .workspace import DrawRefused

#: Entry fields holding text a person wrote (any entry type, present or future).
FREE_TEXT_KEYS = frozenset({"reason", "note", "text", "comment", "description", "correction",
                            "explanation", "remark", "remarks"})
#: Protocol values in a task's parameters: codes, times and counts, never free text.
_PARAMS_SKIPPED = frozenset({"scheduled", "task", "n", "count", "ratio", "issue", "game", "mode"})


def refuse_personal(fields: Mapping[str, str]) -> None:
    """Raise :class:`DrawRefused` naming each option (or field) whose text breaks a rule."""
    found = refusals(fields)
    if found:
        raise DrawRefused("\n".join(found))


def entry_free_text(fields: Mapping) -> dict[str, str]:
    """(日志条目字段 name, text) for the free text of a log entry about to be appended: its
    free-text fields and the names, rules and addresses of its randomness sources."""
    out = {f"日志条目字段 {k}": v for k, v in fields.items()
           if k in FREE_TEXT_KEYS and isinstance(v, str)}
    for n, source in enumerate(fields.get("sources") or (), start=1):
        if isinstance(source, Mapping):
            out.update((f"日志条目字段 sources[{n}].{k}", v) for k, v in source.items()
                       if k in ("name", "take", "fallback", "url") and isinstance(v, str))
    return out


def params_free_text(params: Mapping, where: str) -> dict[str, str]:
    """(where + path, text) for every string of a task's parameter object but its protocol
    values (times, counts, codes of the game)."""
    return {f"{where} {path}": text for path, text in _strings(params, "") if text}


def _strings(obj: object, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(obj, str):
        yield path or "值", obj
    elif isinstance(obj, Mapping):
        for k, v in obj.items():
            if k not in _PARAMS_SKIPPED:
                yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj, start=1):
            yield from _strings(v, f"{path}[{i}]")
