"""Encodings, JCS, canonical CSV, parameter object, ratios and sources (PROTOCOL §1–§4, §13)."""

from __future__ import annotations

import datetime

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc
from test_protocol_fixtures import directory_rows, params, uscc

from generator.protocol.canonical import parse_csv, write_csv
from generator.protocol.encoding import is_id, is_uscc, text_problem
from generator.protocol.errors import ProtocolError
from generator.protocol.jcs import canonicalize
from generator.protocol.params import params_bytes, ratio_fraction, validate_params
from generator.protocol.selection import k_of
from generator.protocol.sources import (
    canonical_number,
    canonical_numbers,
    drand_decimal,
    sources_json,
)

# ---------------------------------------------------------------- encodings


def test_uscc_agrees_with_stdnum():
    codes = [uscc(n) for n in range(300)] + ["91350100M000100Y43", "91110000600037341L"]
    assert [c for c in codes if is_uscc(c) != stdnum_uscc.is_valid(c)] == []
    assert all(is_uscc(c) for c in codes)
    bad = ["91350100M000100Y44", "91350100m000100Y43", "91350100M000100Y43\n", "9135010OM000100Y43", ""]
    assert [c for c in bad if is_uscc(c)] == []


def test_ids_and_text():
    assert is_id("insp-01") and is_id("A" * 32)
    assert not any(is_id(s) for s in ("A" * 33, "", "a b", "张三", "x\n"))
    assert text_problem("食品销售") is None
    assert text_problem(" 食品") and text_problem("食品\u3000") and text_problem("a\u200bb")
    assert text_problem("e\u0301")  # not NFC


# ---------------------------------------------------------------- JCS

_json = st.recursive(
    st.none() | st.booleans() | st.integers(0, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_jcs_equals_rfc8785(value):
    try:
        want = rfc8785.dumps(value)
    except Exception:  # lone surrogates: both refuse
        with pytest.raises(ProtocolError):
            canonicalize(value)
        return
    assert canonicalize(value) == want


def test_jcs_refuses_floats_and_big_ints():
    for bad in (1.0, 2**53, -1, {"a": 0.5}, {1: 2}):
        with pytest.raises(ProtocolError):
            canonicalize(bad)
    assert canonicalize({"\u20ac": 1, "\U0001f600": 2, "a": 3}) == rfc8785.dumps({"\u20ac": 1, "\U0001f600": 2, "a": 3})


# ---------------------------------------------------------------- canonical CSV


def test_writer_sorts_and_formats():
    data = write_csv("roster.csv", [("b", "st-a", True, ["乙", "甲"], 0, []), ("a", "hq", False, set(), 3, {uscc(1)})])
    assert data == f"id,unit,qualified,expertise,cap,recusals\na,hq,0,,3,{uscc(1)}\nb,st-a,1,乙;甲,0,\n".encode()
    assert parse_csv("roster.csv", data)[0] == ("a", "hq", False, (), 3, (uscc(1),))
    d = write_csv("directory.csv", [(uscc(1), "t", "i", "", "u", datetime.date(2020, 1, 2), "存续")])
    assert d.endswith(b",2020-01-02,\xe5\xad\x98\xe7\xbb\xad\n")


GOOD = write_csv("directory.csv", directory_rows(3))
LINE2 = GOOD.split(b"\n")[1]


@pytest.mark.parametrize(("data", "line", "column"), [
    (b"\xef\xbb\xbf" + GOOD, 1, 1),  # BOM
    (GOOD.replace(b"\n", b"\r\n"), 1, None),  # CR
    (GOOD[:-1], None, None),  # no final LF
    (GOOD.replace(b"code,", b"Code,"), 1, None),  # header
    (GOOD.replace(LINE2, LINE2.replace("有限责任公司".encode(), '"有限责任公司"'.encode())), 2, 2),  # quoting
    (GOOD.replace(LINE2, LINE2.replace("有限责任公司".encode(), " 有限责任公司".encode())), 2, 2),
    (GOOD + LINE2 + b"\n", 5, 1),  # duplicate / unsorted
    (GOOD.replace(b"2010-01-10", b"2010-1-10"), 2, 6),  # date
    (GOOD.replace(LINE2, LINE2.replace(LINE2[:18], LINE2[:17] + b"0")), 2, 1),  # check char
])
def test_parser_refuses_non_canonical(data, line, column):
    with pytest.raises(ProtocolError) as exc:
        parse_csv("directory.csv", data)
    assert exc.value.rule == "canonical" and exc.value.file == "directory.csv"
    if line is not None:
        assert exc.value.line == line
    if column is not None:
        assert exc.value.column == column
    assert "directory.csv" in str(exc.value)


def test_parser_refuses_unsorted_sets_and_bad_types():
    with pytest.raises(ProtocolError, match="排序"):
        parse_csv("experts.csv", "id,expertise,recusals\na,甲;乙,\n".encode())
    with pytest.raises(ProtocolError, match="布尔"):
        parse_csv("roster.csv", b"id,unit,qualified,expertise,cap,recusals\na,u,2,,0,\n")
    with pytest.raises(ProtocolError, match="整数"):
        parse_csv("roster.csv", b"id,unit,qualified,expertise,cap,recusals\na,u,1,,03,\n")


# ---------------------------------------------------------------- parameter object


def test_params_golden_bytes():
    p = params()
    assert validate_params(p) == []
    raw = params_bytes(p)
    assert raw == rfc8785.dumps(p)
    assert raw.startswith(
        '{"exclusion_rules":["same-item-same-year"],"expertise":["食品"],"experts":{"count":1,"expertise":["食品"]},"group_size":2,'.encode()
    )


@pytest.mark.parametrize(("mutate", "needle"), [
    (lambda p: p.update(extra=1), "不允许的键"),
    (lambda p: p.pop("n"), "缺少键"),
    (lambda p: p["population"].append({"column": "code", "op": "eq", "value": "x"}), "code 列"),
    (lambda p: p["population"].append({"column": "status", "op": "like", "value": "x"}), "运算符"),
    (lambda p: p["population"].append({"column": "industry", "op": "before", "value": "2020-01-01"}), "日期列"),
    (lambda p: p["population"].append({"column": "risk", "op": "eq", "value": "A"}), "列须为"),
    (lambda p: p["population"].append({"column": "status", "op": "in", "value": ["b", "a"]}), "in 的值"),
    (lambda p: p["strata"][0].update(ratio="5.5.5%"), "比例"),
    (lambda p: p["strata"][0].update(ratio="100.01%"), "(0, 100%]"),
    (lambda p: p["strata"][0].update(ratio="0%"), "(0, 100%]"),
    (lambda p: p["strata"][0].update(label="S9"), "label"),
    (lambda p: p.update(group_size=1), "group_size"),
    (lambda p: p.update(scope={"kind": "units", "units": []}), "scope.units"),
    (lambda p: p.update(expertise=["食品", "药品"]), "expertise"),
    (lambda p: p.update(n=0), "哈希链"),
    (lambda p: p.update(n=1.0), "哈希链"),
    (lambda p: p["sources"][0].update(game="keno"), "game"),
])
def test_params_refusals(mutate, needle):
    p = params()
    mutate(p)
    errors = validate_params(p)
    assert errors and any(needle in str(e) for e in errors), [str(e) for e in errors]


def test_ratio_and_k():
    assert ratio_fraction("7%") == (7, 100)
    assert ratio_fraction("33.3333%") == (333333, 1000000)
    assert k_of({"ratio": "7%"}, 100) == 7
    assert k_of({"ratio": "14%"}, 50) == 7
    assert k_of({"ratio": "0.0001%"}, 100) == 1  # ⌈0.0001·N/100⌉ = 1 for any N ≥ 1
    assert k_of({"ratio": "0.0001%"}, 0) == 0
    assert k_of({"ratio": "100%"}, 37) == 37 and k_of({"ratio": "100.0000%"}, 37) == 37
    assert k_of({"ratio": "33.3333%"}, 3) == 1  # 0.999999 → 1
    assert k_of({"ratio": "33.3333%"}, 300) == 100  # 99.9999 → 100
    assert k_of({"ratio": "33.3334%"}, 3) == 2  # 1.000002 → 2
    assert k_of({"count": 12}, 5) == 5 and k_of({"count": 12}, 50) == 12


# ---------------------------------------------------------------- sources


@pytest.mark.parametrize("bad", ["０８", "-1", "+1", "1.5", "1 2", " 1", "", "1e3", "١"])
def test_source_number_refusals(bad):
    with pytest.raises(ProtocolError) as exc:
        canonical_number(bad)
    assert exc.value.rule == "source-number" and "ASCII" in str(exc.value)


def test_source_numbers():
    assert canonical_number("08") == "8" and canonical_number("00") == "0"
    with pytest.raises(ProtocolError, match="应有 3 个号码"):
        canonical_numbers({"name": "3D", "count": 3}, ["1", "2"])
    assert drand_decimal("00" * 31 + "ff") == "255"
    assert drand_decimal("ff" * 32) == str(2**256 - 1)
    assert sources_json("1./", [("2024001", ["1"])]) == b'{"key_string":"1./","sources":[{"issue_used":"2024001","numbers":["1"]}]}\n'
