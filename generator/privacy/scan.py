"""The rules over whole output files, fast: the build's final scan (``generator.site.leak``).

Normalising every page of a city's site costs seconds; nearly all of it holds no candidate.
:func:`scan` gives what :func:`.rules.find` gives on the whole text (``lines=False``, after
:func:`mask`), reading only windows around candidates:

- a personal number needs at least 11 digits joined by separators: a run of 11 characters
  that NFKC makes digits, with only separators, invisible characters, brackets and ``+``
  between them (:data:`_RUN`, over the raw text); each run, widened over the separators and
  signs around it and by one character each side (the token boundary), is normalised alone.
  A character NFKC makes two digits or more (``⑩``) is rare: such a text is read whole;
- a risk statement holds 险, or 信 and 用 (its context words): windows of at least
  :data:`_REACH` visible characters either side of each, merged, are normalised and matched.

:func:`mask` removes what the site itself writes that the rules would misread: RFC 3797 key
strings (``1.8.18.29.30.32.2./…``: digits joined across dots) and SVG path data (icons'
coordinates). ``tests/test_privacy_scan.py`` holds :func:`scan` equal to the whole-text rules.
"""

from __future__ import annotations

import re

from .charclasses import DIGIT, INVISIBLE, MULTI_DIGIT, SEPARATOR
from .normalise import normalise
from .rules import Hit, find, numbers, risk_statements

_GLUE = f"{SEPARATOR}{INVISIBLE}()\uff08\uff09+\uff0b"  # what may sit between a number's digits
_RUN = re.compile(f"[{DIGIT}](?:[{_GLUE}]*[{DIGIT}]){{10,}}")
_RUN_LINES = re.compile(f"[{DIGIT}](?:[{_GLUE}\\s]*[{DIGIT}]){{10,}}")
_MULTI = re.compile(f"[{MULTI_DIGIT}]")
_GLUE_CHAR = re.compile(f"[{_GLUE}]")
_ALNUM = re.compile("[0-9A-Za-z]")
_GLUE_RIGHT = re.compile(f"[{_GLUE}]*[Xx\uff38\uff58]?")
# RFC 3797 key strings (1.8.18.29.30.32.2./) and drawn numbers as a page lists them (1 8 18 29)
_KEY_STRING = re.compile(r"(?<![0-9A-Za-z.])(?:[0-9]+\.)+/"
                         r"|(?<![0-9A-Za-z.\-])[0-9]{1,2}(?: [0-9]{1,2}){2,}(?![0-9A-Za-z.\-])")
_SVG = tuple(re.compile(f' {name}="[^"]*"') for name in ("d", "points", "viewBox", "transform"))
# every context word of a statement holds 险 (风险…) or 信用 and one of 分等类评级 (NFKC also
# makes 用 of ⽤ and 类 of 類 U+FAAE; 险, 信 and the others have no other forms), once spaces and
# invisible characters are dropped: 统一社会信用代码 is no anchor
_ANCHOR = re.compile("险|信[用\u2f64][分等类\ufaae评级]")
_INVISIBLE = re.compile(f"[{INVISIBLE}]+")
_REACH = 64  # characters: more than a statement spans (context, clause, class)


def mask_markup(text: str) -> str:
    """An HTML or SVG file's text without SVG path data (icons' coordinates), before its
    character references are decoded (so that no decoded quote can open an attribute)."""
    for name, pattern in zip(("d", "points", "viewBox", "transform"), _SVG, strict=True):
        if f' {name}="' in text:
            text = pattern.sub(" ", text)
    return text


def mask(text: str) -> str:
    """``text`` without the site's own key strings and lists of drawn numbers (numbers of one
    or two digits, single spaces between them)."""
    return _KEY_STRING.sub(" ", text)


def scan(text: str) -> list[Hit]:
    """The hits of every rule in ``text`` (an output file, decoded), as :func:`reference`."""
    hits: list[Hit] = []
    if _MULTI.search(text):
        hits += numbers(normalise(mask(text), lines=False))
    else:
        for m in _RUN.finditer(text):
            start = m.start()
            while start and _GLUE_CHAR.match(text, start - 1):
                start -= 1
            end = _GLUE_RIGHT.match(text, m.end()).end()
            run = m.group()
            if start == m.start() and end == m.end() and run.isascii() and run.isdigit():
                # digits alone, nothing around to join or normalise: the run is the token
                # (inside a longer token, e.g. a hash, when a letter or digit touches it)
                if _ALNUM.match(text[start - 1:start]) or _ALNUM.match(text[end:end + 1]):
                    continue
                hits += numbers(run)
                continue
            hits += numbers(normalise(mask(text[max(0, start - 1):end + 1]), lines=False))
    if "险" in text or "信" in text:
        for start, end in _windows(compact := _compact(text)):
            hits += risk_statements(normalise(compact[start:end], lines=False))
    return list(dict.fromkeys(hits))


def _compact(text: str) -> str:
    """``text`` without whitespace and invisible characters."""
    text = "".join(text.split())
    return text if text.isprintable() else _INVISIBLE.sub("", text)


def may_hold(text: str) -> bool:
    """False only when no rule can match ``text`` (office input, line breaks joining digits,
    nothing masked): a fast test before reading many values one by one."""
    if _RUN_LINES.search(text) or _MULTI.search(text):
        return True
    return ("险" in text or "信" in text) and bool(_ANCHOR.search(_compact(text)))


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged spans of ``_REACH`` characters either side of every anchor."""
    spans: list[tuple[int, int]] = []
    for m in _ANCHOR.finditer(text):
        start, end = max(0, m.start() - _REACH), m.end() + _REACH
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def reference(text: str) -> list[Hit]:
    """What :func:`scan` gives: the rules on the whole text without its key strings (the
    numbers as found; a risk statement found in a window may be cut differently)."""
    return find(mask(text), lines=False)
