"""Encodings of PROTOCOL §1 and the grammars of §13.

>>> is_uscc("91350100M000100Y43")
True
>>> is_id("insp-01"), is_id("张三")
(True, False)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# §13: enterprise label grammar; the check character is verified separately (GB 32100 mod 31).
USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters, value = index
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # W_i = 3^(i-1) mod 31, i = 1..17
ID_RE = re.compile(r"[A-Za-z0-9_-]{1,32}")  # §13 ids of inspectors, experts, tasks, items
HEX64_RE = re.compile(r"[0-9a-f]{64}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Unicode White_Space (PropList.txt); a field may not begin or end with one of these (§13).
WHITE_SPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)]
    + [" ", "\x85", "\xa0", "\u1680"]
    + [chr(c) for c in range(0x2000, 0x200B)]
    + ["\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
)


def sha256(data: bytes) -> bytes:
    """H of §1: SHA-256 over raw bytes."""
    return hashlib.sha256(data).digest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_hex64(s: str) -> bool:
    """A hash or ticket as displayed: 64 lowercase hex characters."""
    return isinstance(s, str) and HEX64_RE.fullmatch(s) is not None


def uscc_check_char(first17: str) -> str:
    """GB 32100: C18 = 31 − (Σ value(c_i)·W_i mod 31), 31 written as 0."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


# Speed only (is_uscc runs once per directory row): W_i = 3^(i-1) and 34 ≡ 3 (mod 31), so
# Σ value(c_i)·W_i ≡ the reversed 17 characters, each written as the base-34 digit of its value,
# read as one base-34 integer (mod 31). Same result as uscc_check_char for every grammar string.
_TO_BASE34 = str.maketrans(USCC_ALPHABET, "0123456789abcdefghijklmnopqrstu")


def is_uscc(s: object) -> bool:
    """§1/§13: 18 upper-case ASCII characters of the grammar with a valid check character."""
    if not isinstance(s, str) or USCC_RE.fullmatch(s) is None:
        return False
    total = int(s[16::-1].translate(_TO_BASE34), 34)
    return USCC_ALPHABET[(31 - total % 31) % 31] == s[17]


def is_id(s: object) -> bool:
    """§13: ``^[A-Za-z0-9_-]{1,32}$``."""
    return isinstance(s, str) and ID_RE.fullmatch(s) is not None


def is_date(s: object) -> bool:
    """``YYYY-MM-DD`` naming a real calendar day."""
    if not isinstance(s, str) or DATE_RE.fullmatch(s) is None:
        return False
    try:
        import datetime

        datetime.date.fromisoformat(s)
    except ValueError:
        return False
    return True


def text_problem(s: str) -> str | None:
    """Why ``s`` is not a valid field text (§2, §13), in Chinese; ``None`` when it is."""
    if unicodedata.normalize("NFC", s) != s:
        return "文本不是 NFC 规范化形式"
    for ch in s:
        if unicodedata.category(ch) in ("Cc", "Cf"):
            return f"含控制或格式字符 U+{ord(ch):04X}"
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return f"含代理码位 U+{ord(ch):04X}"
    if s and (s[0] in WHITE_SPACE or s[-1] in WHITE_SPACE):
        return "首尾不得为空白字符"
    return None


def is_nfc(s: str) -> bool:
    return unicodedata.normalize("NFC", s) == s


def byte_key(s: str) -> bytes:
    """Sort key "by bytes" (§2): the UTF-8 encoding."""
    return s.encode("utf-8")
