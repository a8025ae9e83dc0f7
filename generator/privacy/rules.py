"""The personal-data rules, matched on normalised text (:func:`.normalise.normalise`).

- ``pii.id_card``: an 18-character 居民身份证号码 that python-stdnum ``cn.ric`` accepts (birth date
  and GB 11643 check character), or a 15-digit first-generation number (province code, a
  valid 19YYMMDD birth date; ``cn.ric`` on its 18-digit form);
- ``pii.mobile``: a mainland mobile number ``1[3-9]`` + 9 digits, with or without ``+86``;
- ``pii.landline``: a landline with its area code: ``010``/``02X`` + 8 digits, ``0XXX`` + 7 or 8
  digits, or ``+86`` and the area code without its 0;
- ``risk.statement``: a credit-risk class stated in words: A/B/C/D类 (级), 低/一般/较高/高风险 next
  to 信用风险 / 风险分类 (not 行业风险, which is public), within a clause.

Numbers are whole tokens: a letter or digit right before or after means it is part of
something else (a credit code, a hash).

>>> [h.rule for h in find("联系人 +8613800138000")]
['pii.mobile']
>>> [h.rule for h in find("身份证 110105491231002")]
['pii.id_card']
>>> [h.rule for h in find("信用风险分类为D类（高风险）")]
['risk.statement']
>>> find("行业风险等级：高风险；执法证号 41030001；91410381MA00000015")
[]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stdnum.cn import ric

from .normalise import normalise


@dataclass(frozen=True)
class Hit:
    rule: str
    value: str  # the normalised match (digits joined)

    @property
    def what(self) -> str:
        """The Chinese name of what was found."""
        return WHAT[self.rule]


WHAT = {"pii.id_card": "居民身份证号码", "pii.mobile": "手机号码", "pii.landline": "固定电话号码",
        "risk.statement": "信用风险分类"}

_B = r"(?<![0-9A-Za-z])"  # a number starts a token ...
_E = r"(?![0-9A-Za-z])"  # ... and ends it
_ID18 = re.compile(_B + r"[1-9][0-9]{16}[0-9Xx]" + _E)
_ID15 = re.compile(_B + r"[1-9][0-9]{14}" + _E)
_MOBILE = re.compile(_B + r"(?:\+86|0086|86)?1[3-9][0-9]{9}" + _E)
_LANDLINE = re.compile(_B + r"(?:\+86(?:10|2[0-9])[0-9]{8}|\+86[3-9][0-9]{2}[0-9]{7,8}"
                       r"|0(?:10|2[0-9])[0-9]{8}|0[3-9][0-9]{2}[0-9]{7,8})" + _E)
#: GB/T 2260 province-level codes: the first two digits of an ID number.
_PROVINCES = frozenset("11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 "
                       "53 54 61 62 63 64 65 71 81 82 83".split())

_CONTEXT = r"(?:信用(?:风险|分类|等级|类别|评级|级别)|(?<!行业)风险(?:分类|类别|评级|等级|级别))"
_CLASS = (r"(?:(?<![A-Za-z])[A-Da-d](?:类|级)|(?:较高|一般|较低|中等|低|中|高)风险"
          r"|风险(?:较高|一般|较低|低|高))")
_STATED = r"(?:为|是|属于|属|:|被评为|评定为|结果为)?(?:较高|一般|较低|低|高)"
_CLAUSE = r"[^。；;!?！？\n]{0,15}?"
_RISK = re.compile(f"{_CONTEXT}{_CLAUSE}{_CLASS}|{_CLASS}{_CLAUSE}{_CONTEXT}"
                   f"|信用风险(?:分类|等级)?{_STATED}")
_WHITESPACE = re.compile(r"\s+")


def ric_valid(number: str) -> bool:
    """``cn.ric.is_valid``; where python-stdnum's place database fails on an area code
    (a ``KeyError`` for some partial codes), the birth date and check character decide."""
    try:
        return ric.is_valid(number)
    except (KeyError, ValueError, IndexError):
        try:
            ric.get_birth_date(number)
        except Exception:  # noqa: BLE001 - any failure of the library: not a valid date
            return False
        return ric.calc_check_digit(number) == number[17].upper()


def id15_valid(number: str) -> bool:
    """A first-generation (15-digit) ID number: province code and a valid 19YYMMDD date;
    its 18-digit form (``19`` inserted, check character computed) passes ``cn.ric``."""
    if number[:2] not in _PROVINCES:
        return False
    try:
        dt.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    body = number[:6] + "19" + number[6:]
    return ric_valid(body + ric.calc_check_digit(body + "0"))  # it reads 17 of 18


def numbers(text: str) -> list[Hit]:
    """The personal numbers in already normalised text."""
    hits = [Hit("pii.id_card", m.group()) for m in _ID18.finditer(text)
            if m.group()[:2] in _PROVINCES and ric_valid(m.group())]
    hits += [Hit("pii.id_card", m.group()) for m in _ID15.finditer(text) if id15_valid(m.group())]
    hits += [Hit("pii.mobile", m.group()) for m in _MOBILE.finditer(text)]
    hits += [Hit("pii.landline", m.group()) for m in _LANDLINE.finditer(text)]
    return hits


def risk_statements(text: str) -> list[Hit]:
    """Credit-risk classes stated in already normalised text (spaces between words ignored)."""
    return [Hit("risk.statement", m.group())
            for m in _RISK.finditer(_WHITESPACE.sub("", text))]


def find(text: str, *, lines: bool = True) -> list[Hit]:
    """Every hit of every rule in ``text`` (normalised here)."""
    plain = normalise(text, lines=lines)
    return list(dict.fromkeys(numbers(plain) + risk_statements(plain)))
