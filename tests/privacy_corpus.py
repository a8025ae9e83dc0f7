"""The privacy corpus: personal numbers and credit-risk classes in every spelling an insider
tries, each case with its own number, so that a finding or a leak names exactly one case.

``spellings(k)`` gives, for a case number ``k`` (unique across fields), the list of
``(spelling name, text)``; ``expected(text)`` is the value the rules report for it (digits
joined, ``+86`` kept). Used by ``tests/test_privacy_corpus.py``.
"""

from __future__ import annotations

from stdnum.cn import ric

from generator.privacy import find

TAGS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"


def _id18(k: int) -> str:
    body = f"110105{1950 + k % 50}1231{k % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _tag(k: int) -> str:
    return TAGS[k % len(TAGS)] + TAGS[(k // len(TAGS)) % len(TAGS)]


def spellings(k: int) -> list[tuple[str, str]]:
    """Every spelling, numbers made unique by ``k`` (0 <= k < 576)."""
    mid = f"{k:04d}"
    m = ("138", mid, "8000")  # a mobile number in its usual 3-4-4 groups
    idn = _id18(k)
    id15 = f"1101054912{k % 28 + 1:02d}{k % 1000:03d}"
    land = ("0379", "6" + mid[1:], "3456")
    zw = "\u200b"
    fw = str.maketrans("0123456789X+-()", "０１２３４５６７８９Ｘ＋－（）")
    return [
        ("mobile", "".join(m)),
        ("mobile_plus86", "+86" + "".join(m)),
        ("mobile_0086_spaces", "0086 " + " ".join(m)),
        ("mobile_dots", ".".join(m)),
        ("mobile_en_dash", "–".join(m)),
        ("mobile_em_dash", "—".join(m)),
        ("mobile_spaces", " ".join(m)),
        ("mobile_hyphens", "-".join(m)),
        ("mobile_fullwidth", "".join(m).translate(fw)),
        ("mobile_fullwidth_plus86_brackets", "（＋86）" + "-".join(m).translate(fw)),
        ("mobile_zero_width", zw.join(m)),
        ("mobile_zero_width_every_digit", zw.join("".join(m))),
        ("mobile_bidi", "\u202e".join(m) + "\u202c"),
        ("mobile_ideographic_spaces", "\u3000".join(m)),
        ("mobile_nbsp_and_minus", "\u00a0".join(m[:2]) + "\u2212" + m[2]),
        ("mobile_circled", "①③⑧" + mid + "8000"),
        ("id18", idn),
        ("id18_spaces", f"{idn[:6]} {idn[6:14]} {idn[14:]}"),
        ("id18_fullwidth_lower_x", idn.lower().translate(fw)),
        ("id18_zero_width", zw.join([idn[:6], idn[6:14], idn[14:]])),
        ("id15", id15),
        ("id15_hyphens", f"{id15[:6]}-{id15[6:12]}-{id15[12:]}"),
        ("landline", "-".join(land[:1]) + "-" + "".join(land[1:])),
        ("landline_brackets_spaces", f"（{land[0]}）{land[1]} {land[2]}"),
        ("risk_class", f"信用风险分类为{_tag(k)}D类（高风险）"),
        ("risk_words", f"该企业信用风险{_tag(k)}较高风险"),
        ("risk_spaced_fullwidth", f"信 用 风 险 分 类 {_tag(k)}：Ｃ 类"),
        ("risk_zero_width", f"信用{zw}风险分类{_tag(k)}为{zw}B类"),
    ]


def expected(text: str) -> str:
    """The value the rules report for a case text (it breaks exactly one rule)."""
    hits = find(text)
    assert len(hits) == 1, (text, hits)
    return hits[0].value
