"""The one normaliser in front of every personal-data and embargo rule.

A value is read the way a person reads it, whatever its spelling:

1. invisible characters are removed (Unicode format characters: zero-width spaces and joiners,
   bidirectional controls, soft hyphen, BOM; variation selectors, Hangul fillers);
2. NFKC: full-width digits, letters and signs become half-width (``１３８`` → ``138``,
   ``＋`` → ``+``), circled and superscript digits become digits, ``⽤`` becomes ``用``;
3. every space, dot, hyphen and Unicode dash (``–`` ``—`` ``‐`` ``－`` ``−`` …) becomes `` ``,
   ``.`` or ``-``;
4. a ``+86`` / ``0086`` prefix, written ``(+86)``, ``+ 86`` or ``（0086）``, becomes ``+86``; an
   area code in brackets ``(0379)`` becomes ``0379-``;
5. digits are joined across runs of spaces, dots and hyphens: ``138 0013 8000`` → ``13800138000``.

Line breaks join digits too (``lines=True``, office input: a description's line break shows as
a space on a page); the site's final scan passes ``lines=False``: output files hold one value
per line (CSV rows, JSON lines), and the last number of a line is not the start of the next.

>>> normalise("+86 138–0013–8000")
'+8613800138000'
>>> normalise("１３８\u200b００１３８０００")
'13800138000'
>>> normalise("（０３７９）１２３４ ５６７８")
'037912345678'
>>> normalise("信⽤风险")
'信用风险'
"""

from __future__ import annotations

import re
import unicodedata

from .charclasses import INVISIBLE, SEPARATOR

_INVISIBLE = re.compile(f"[{INVISIBLE}]+")
_DASHES = re.compile(r"[\-\u058a\u05be\u1400\u1806\u2010-\u2015\u207b\u208b\u2212\u2e17\u2e1a"
                     r"\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63"
                     r"\uff0d\U00010ead]")
_DOTS = re.compile(r"[.\u00b7\u0387\u2024-\u2027\u30fb\ufe52\uff0e\uff65]")
_SPACES = re.compile(f"(?![-.])[{SEPARATOR}]")  # the other separators: spaces
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_PREFIX = re.compile(r"\(?\+ ?86\)?|(?<![0-9A-Za-z])\(?0086\)?(?= ?[-.]? ?[0-9])")
_AREA = re.compile(r"\((0[0-9]{2,3})\)(?= ?[-.]? ?[0-9])")
# digits, and the check character X of an ID number, are joined to the digits before them
_JOIN_LINE = re.compile(r"(?<=[0-9])[ .\-]+(?=[0-9]|[Xx](?![0-9A-Za-z]))")
_JOIN_LINES = re.compile(r"(?<=[0-9])[ .\-\n]+(?=[0-9]|[Xx](?![0-9A-Za-z]))")


def normalise(text: str, *, lines: bool = True) -> str:
    """``text`` as the rules read it (steps 1–5 of the module docstring)."""
    if text.isascii():  # steps 1-3 change only tabs, form feeds and carriage returns
        if not text.isprintable():
            text = _LINE_BREAKS.sub("\n", text.replace("\t", " "))
    else:
        text = _INVISIBLE.sub("", text)
        text = unicodedata.normalize("NFKC", text)
        text = _DASHES.sub("-", text)
        text = _DOTS.sub(".", text)
        text = _SPACES.sub(" ", text)
        text = _LINE_BREAKS.sub("\n", text)
    text = _PREFIX.sub("+86", text)
    text = _AREA.sub(r"\1-", text)
    return (_JOIN_LINES if lines else _JOIN_LINE).sub("", text)


#: What NFKC leaves of the separators besides whitespace: removed by :func:`squeeze`
_SQUEEZED = tuple(sorted({c for c in map(chr, range(0x2000, 0x3100)) if re.fullmatch(
    f"[{SEPARATOR}]", c) and unicodedata.normalize("NFKC", c) == c and not c.isspace()}
    | set("-._\u00b7\u0387\u058a\u05be\u1400\u1806\ufe58\ufe63")))


def squeeze(text: str, *, nfkc: bool = False) -> str:
    """The form codes and names are matched in, whatever spaces were put into them: NFKC
    (``nfkc``: already done), every space, dot, dash and invisible character removed, upper
    case.

    >>> squeeze("９１４１ ０３８１-ma\u200b00·0001 5")
    '91410381MA0000015'
    """
    text = "".join((text if nfkc else unicodedata.normalize("NFKC", text)).split())
    for ch in _SQUEEZED:
        if ch in text:
            text = text.replace(ch, "")
    if not text.isprintable():  # format characters (whitespace is gone)
        text = _INVISIBLE.sub("", text)
    return text.upper()
