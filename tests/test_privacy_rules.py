"""The normaliser and the personal-data rules (generator.privacy), and the final scan's fast
reading of them (generator.privacy.scan) against the rules on whole texts."""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from privacy_corpus import spellings

from generator.privacy import find, make_classes, normalise, refusal
from generator.privacy.scan import may_hold, reference, scan


@pytest.mark.parametrize("module", ["generator.privacy.normalise", "generator.privacy.rules"])
def test_doctests(module):
    assert doctest.testmod(importlib.import_module(module)).failed == 0


def test_character_classes_match_this_unicode_database():
    path = make_classes.__file__.replace("make_classes.py", "charclasses.py")
    with open(path, encoding="utf-8") as f:
        assert f.read() == make_classes.source(), "run python -m generator.privacy.make_classes"


@pytest.mark.parametrize("name, text", spellings(3))
def test_every_spelling_breaks_its_rule(name, text):
    rule = {"mobile": "pii.mobile", "id15": "pii.id_card", "id18": "pii.id_card",
            "landline": "pii.landline", "risk": "risk.statement"}[name.split("_")[0]]
    assert [h.rule for h in find(f"备注：{text}。")] == [rule]
    assert [h.rule for h in scan(f"<td>备注：{text}。</td>")] == [rule]


@pytest.mark.parametrize("text", [
    "91410381MA00000015", "执法证号 41030001", "2023-03-06 至 2023-04-30", "110105194912310021",
    "123800138000", "行业风险等级：高风险", "信用监管科负责 A 类事项的抽查。", "第 12 条、第 13 条",
    "期号 2023036，开奖时间 2023-03-23T21:15:00+08:00", "12345678901234567890",
    "示例区华兴商贸有限公司", "共抽取 138 户，占 5%", "8b1f2bc7ba83ee1f44b68fcecd20e987122e8150",
])
def test_ordinary_text_breaks_no_rule(text):
    assert find(text) == [] and scan(text) == []


def test_site_scan_masks_what_the_site_itself_writes():
    """Key strings, lists of drawn numbers and SVG path data are not numbers anyone typed."""
    for text in ("1.8.18.29.30.32.2./5.9.20.29.35.3.4./9.0.3.7.4./", "<td>1 8 18 29 30 32 2</td>"):
        assert find(text) and scan(text) == []
    from generator.privacy.scan import mask_markup

    icon = '<svg viewBox="0 0 24 24"><path d="M13.8 0 0 13 8 0.01 38 000 1-1"/></svg>'
    assert scan(mask_markup(icon)) == []
    assert scan(mask_markup(icon + "<p>138 0013 8000</p>"))


def test_refusal_names_the_option_and_the_rule_and_hides_the_number():
    msg = refusal("--reason", "负责人 138-0013-8000 要求")
    assert msg and "--reason" in msg and "pii.mobile" in msg and "手机号码" in msg
    assert "13800138000" not in msg and "日志未作任何改动" in msg
    assert refusal("--reason", "企业已注销") is None


def test_normaliser_steps():
    assert normalise("１３８\u200b－００１３．８０００") == "13800138000"
    assert normalise("(+86) 138 0013 8000") == "+8613800138000"
    assert normalise("138\n0013\n8000") == "13800138000"
    assert normalise("138\n0013\n8000", lines=False) == "138\n0013\n8000"
    assert normalise("110105 19491231 002 X") == "11010519491231002X"


ALPHABET = st.sampled_from([
    *"0123456789", "1", "3", "8", "0", " ", ".", "-", "–", "—", "\u200b", "\u202e", "\u3000",
    "１", "３", "８", "０", "+", "86", "0086", "(", ")", "（", "）", "X", "x", "a", "Z", "号", "。",
    "\n", "信用风险", "风险分类", "为", "D类", "高风险", "行业", "较高", "①", "⑩", "1.2./", "/",
    "13800138000", "110105194912310", "11010519491231002", "0379", "12345678",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(ALPHABET, max_size=24).map("".join))
def test_fast_scan_equals_the_rules_on_the_whole_text(text):
    got, want = scan(text), reference(text)
    numbers = sorted(h.value for h in got if h.rule != "risk.statement")
    assert numbers == sorted(h.value for h in want if h.rule != "risk.statement")
    assert any(h.rule == "risk.statement" for h in got) == any(
        h.rule == "risk.statement" for h in want)
    if find(text):
        assert may_hold(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(max_codepoint=127), max_size=30))
def test_ascii_fast_path_of_the_normaliser_equals_the_full_one(text):
    """A trailing 中 (changed by no step, joining nothing) sends a text the full way."""
    for lines in (True, False):
        assert normalise(text, lines=lines) == normalise(text + "中", lines=lines)[:-1]
