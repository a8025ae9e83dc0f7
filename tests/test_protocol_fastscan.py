"""The speed-only paths of the scan and the selection (generator/protocol/scan.py,
selection.py) and of the parallel scan (generator/draws/parallel.py) equal their reference
definitions: the column-wise code check equals ``is_uscc``; the byte and character classes that
let a chunk skip the per-value text checks hold only characters every field rule accepts; the
scan of consecutive spans, merged, equals the scan of the whole file; the bounded ticket
candidates give the exact selection even when a bound is too tight."""

from __future__ import annotations

import hashlib
import random
import re
import sys
import unicodedata
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_protocol_scan import _fields, chunk, codes_st, task

from generator.draws import parallel
from generator.protocol import scan, selection
from generator.protocol.canonical import header, parse_field, write_csv
from generator.protocol.derive import members
from generator.protocol.encoding import USCC_ALPHABET, WHITE_SPACE, is_uscc, uscc_check_char
from generator.protocol.errors import ProtocolError
from generator.protocol.params import build_params
from generator.protocol.selection import StreamingSelector, select_records
from generator.protocol.tickets import Tickets

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CODE_CHARS = USCC_ALPHABET + "0IOSVZa\n,é"


# --------------------------------------------------------------------------- codes


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(
    codes_st,
    st.text(alphabet=CODE_CHARS, min_size=17, max_size=19),
    codes_st.flatmap(lambda c: st.integers(0, 17).flatmap(
        lambda i: st.sampled_from(CODE_CHARS).map(lambda ch: c[:i] + ch + c[i + 1:]))),
), min_size=1, max_size=12))
def test_codes_valid_equals_is_uscc(codes):
    joined = "\n".join(codes).encode("utf-8")
    want = all(is_uscc(c) for c in codes) and "\n" not in "".join(codes)
    assert scan.codes_valid(joined, len(codes)) == want


def test_codes_valid_every_check_character():
    rng = random.Random(3)
    for _ in range(300):
        body = "".join(rng.choice(USCC_ALPHABET if i < 2 or i > 7 else "0123456789") for i in range(17))
        codes = [body + ch for ch in USCC_ALPHABET]
        for c in codes:
            assert scan.codes_valid(c.encode(), 1) == (c[17] == uscc_check_char(body)) == is_uscc(c)
        good = body + uscc_check_char(body)
        many = [good] * 40
        assert scan.codes_valid("\n".join(many).encode(), 40)
        many[rng.randrange(40)] = rng.choice([c for c in codes if c != good])
        assert not scan.codes_valid("\n".join(many).encode(), 40)
    assert not scan.codes_valid(b"", 0)


# --------------------------------------------------------------------------- safe characters


def _composition_seconds() -> set[int]:
    """Characters that are the second of a canonical pair (NFC_Quick_Check = Maybe)."""
    out = set()
    for cp in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                out.add(int(parts[1], 16))
    return out


def test_safe_characters_pass_every_text_rule():
    """Every character of SAFE_CHARS is NFC in any sequence (no canonical decomposition,
    combining class 0, never the second of a canonical pair), neither Cc, Cf nor a surrogate,
    and white space only for U+0020 (checked at field edges by the scan); and every character
    whose UTF-8 lead byte is in SAFE_BYTES is in SAFE_CHARS (so a chunk that passes the byte
    test passes the character test)."""
    safe = re.compile(f"[{scan.SAFE_CHARS}]")
    seconds = _composition_seconds()
    allowed_leads = set(scan.SAFE_BYTES) - set(range(0x80, 0xC0))
    for cp in range(sys.maxunicode + 1):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if ch.encode("utf-8")[0] in allowed_leads:
            assert safe.fullmatch(ch), hex(cp)
        if not safe.fullmatch(ch) or ch in "\n,":  # the separators: never inside a split field
            continue
        d = unicodedata.decomposition(ch)
        assert not d or d.startswith("<"), hex(cp)
        assert unicodedata.combining(ch) == 0 and cp not in seconds, hex(cp)
        assert unicodedata.category(ch) not in ("Cc", "Cf", "Cs"), hex(cp)
        assert ch not in WHITE_SPACE or ch == " ", hex(cp)
        assert ch not in '"\r', hex(cp)
        parse_field("text", "a" + ch + "b")
    assert b'"' not in scan.SAFE_BYTES and b"\r" not in scan.SAFE_BYTES


ODD_VALUES = ["有限责任公司（自然人投资或控股）", "个体·户", "站\u3000c", " 前空", "后空 ", "a\u0301", "é",
              "e\u0301", "引\"号", "全角ａ", "制\t表", "々〇", "\u4dc0卦", "\ufeffbom", "\u00a0nb", ""]


@pytest.mark.parametrize("size", [1 << 22, 60])
@pytest.mark.parametrize("value", ODD_VALUES)
def test_odd_text_values_like_reference(value, size):
    rng = random.Random(value)
    codes = sorted({body + uscc_check_char(body) for body in
                    ("91" + "".join(rng.choice("0123456789") for _ in range(15)) for _ in range(40))})
    rows = [(c, "企业", "食品", "高", "站a", "2020-01-01", "存续") for c in codes]
    params = build_params(
        task="T-ODD", mode="public", population=[], strata=[{"when": [], "ratio": "50%"}], group_size=2,
        scope={"kind": "all"}, expertise=[], experts={"count": 0}, exclusion_rules=[], items=["SC-01"],
        sources=[{"name": "d", "game": "drand", "issue": "1", "scheduled": "2024-01-16T21:15:00+08:00",
                  "take": "r", "count": 1, "ordered": True, "fallback": "n", "url": "https://drand.love/"}],
        n=1,
    )
    good = write_csv("directory.csv", rows)
    lines = good.split(b"\n")
    for column in (1, 2, 4, 6):
        at = 1 + rng.randrange(len(rows))
        fields = lines[at].split(b",")
        fields[column] = value.encode("utf-8")
        data = b"\n".join(lines[:at] + [b",".join(fields)] + lines[at + 1:])
        try:
            want = _fields(scan.scan_reference(params, data))
        except ProtocolError as exc:
            want = str(exc)
        try:
            with chunk(size):
                got = _fields(scan.scan_directory(params, data))
        except ProtocolError as exc:
            got = str(exc)
        assert got == want


# --------------------------------------------------------------------------- spans


@SETTINGS
@given(task(), st.lists(st.integers(0, 10_000), max_size=4), st.sampled_from([1 << 22, 40]))
def test_spans_merged_equal_whole(case, cuts, size):
    params, files, _ = case
    data = files["directory.csv"]
    head = len(header("directory.csv"))
    if len(data) == head:
        return
    rows = [head] + [n + 1 for n in range(head, len(data) - 1) if data[n] == 0x0A]  # row starts
    starts = sorted({head} | {rows[c % len(rows)] for c in cuts})
    spans = list(zip(starts, starts[1:] + [len(data)], strict=True))
    risk = scan.risk_of(params, files)
    with chunk(size):
        parts = [scan.scan_lines(params, data, a, b, risk) for a, b in spans]
        whole = scan.scan_directory(params, data, risk)
    assert all(p is not None for p in parts)
    for (_, _, last), (_, first, _) in zip(parts, parts[1:], strict=False):
        assert last < first
    assert [p[1] for p in parts] == [data[a:a + 18] for a, _ in spans]
    merged = scan.merge([s["label"] for s in params["strata"]], [p[0] for p in parts])
    assert _fields(merged) == _fields(whole)


def test_scan_lines_declines_what_it_cannot_accept():
    params, files, _ = _small_case()
    data = files["directory.csv"]
    head = len(header("directory.csv"))
    assert scan.scan_lines(params, data, head, len(data) - 1) is None  # not ending after an LF
    assert scan.scan_lines(params, data, 0, len(data)) is None  # the header is not a row
    bad = data.replace(b"2001-02-03", b"2001-02-30", 1)
    assert scan.scan_lines(params, bad, head, len(bad)) is None


def _small_case(rows: int = 400):
    rng = random.Random(rows)
    codes = sorted({body + uscc_check_char(body) for body in
                    ("91" + "".join(rng.choice("0123456789") for _ in range(6))
                     + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(9)) for _ in range(rows))})
    directory = [(c, rng.choice(("企业", "个体工商户")), "食品", rng.choice("高中低"), rng.choice(("hq", "站a", "站b")),
                  rng.choice(("2001-02-03", "2020-01-01")), rng.choice(("存续", "存续", "注销"))) for c in codes]
    params = build_params(
        task="T-SPAN", mode="public", population=[{"column": "status", "op": "eq", "value": "存续"}],
        strata=[{"when": [{"column": "industry_risk", "op": "eq", "value": "高"}], "ratio": "10%"},
                {"when": [], "count": 7}],
        group_size=2, scope={"kind": "all"}, expertise=[], experts={"count": 0}, exclusion_rules=[],
        items=["SC-01"], n=1,
        sources=[{"name": "d", "game": "drand", "issue": "1", "scheduled": "2024-01-16T21:15:00+08:00",
                  "take": "r", "count": 1, "ordered": True, "fallback": "n", "url": "https://drand.love/"}],
    )
    return params, {"directory.csv": write_csv("directory.csv", directory)}, codes


def test_parallel_scan_equals_scan_directory():
    params, files, _ = _small_case(2000)
    data = files["directory.csv"]
    with chunk(500):
        got = parallel.scan(params, data, None, 2)
        assert got is not None and _fields(got) == _fields(scan.scan_directory(params, data))
    lines = data.split(b"\n")
    swapped = b"\n".join(lines[:1] + lines[len(lines) // 2:-1] + lines[1:len(lines) // 2] + [b""])  # halves swapped
    assert parallel.scan(params, swapped, None, 2) is None
    with pytest.raises(ProtocolError):
        scan.scan_directory(params, swapped)


# --------------------------------------------------------------------------- selection


def _reference(params, files, excluded, tickets):
    pop = scan.scan_files(params, files)
    ex = scan.apply_exclusions(pop, excluded)
    k = {c.label: c.k for c in scan.stratum_counts(params, pop, ex)}
    want = StreamingSelector(k)
    for code, label, _ in members(params, files):
        if code not in excluded:
            want.add(code, label, tickets.enterprise(code))
    return pop, ex, k, want.result()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(task(), st.binary(min_size=32, max_size=32), st.sampled_from(["tight", "zero", "infinite", "normal"]))
def test_select_records_exact_whatever_the_bounds(monkeypatch_bounds, case, code, how):
    params, files, excluded = case
    tickets = Tickets(code, "9./")
    pop, ex, k, want = _reference(params, files, excluded, tickets)
    monkeypatch_bounds(how)
    got = StreamingSelector(k)
    fed = select_records(got, pop.labels, pop.records, pop.stratum, ex.members, tickets.prk, scan.RECORD)
    assert got.result() == want
    for s in want[0]:
        assert pop.code(fed[s.code]) == s.code


@pytest.fixture
def monkeypatch_bounds(monkeypatch):
    real = selection.bounds_for

    def use(how: str) -> None:
        if how == "normal":
            monkeypatch.setattr(selection, "bounds_for", real)
        elif how == "infinite":
            monkeypatch.setattr(selection, "bounds_for", lambda ks, ns: [selection.INFINITE for _ in ks])
        elif how == "zero":
            monkeypatch.setattr(selection, "bounds_for", lambda ks, ns: [b"" for _ in ks])
        else:  # about half of what is needed: the exact second pass must run
            monkeypatch.setattr(selection, "bounds_for", lambda ks, ns: [
                min(2**256 - 1, (max(1, k // 2) << 256) // (n + 1)).to_bytes(32, "big") for k, n in zip(ks, ns, strict=True)])

    return use


def test_candidates_over_ranges_equal_one_pass():
    params, files, codes = _small_case(3000)
    pop = scan.scan_files(params, files)
    tickets = Tickets(hashlib.sha256(b"r").digest(), "5./")
    bounds = selection.bounds_for([10, 10], [len(pop), len(pop)])
    skip = {3: "x", 17: "y"}
    whole = selection.candidates(pop.records, pop.stratum, 0, len(pop), bounds, skip, tickets.prk, scan.RECORD)
    parts = [c for lo in range(0, len(pop), 777)
             for c in selection.candidates(pop.records, pop.stratum, lo, min(len(pop), lo + 777), bounds, skip,
                                           tickets.prk, scan.RECORD)]
    assert whole == parts
    for i, t in whole:
        assert i not in skip and t == tickets.enterprise(pop.code(i)) and t < bounds[pop.stratum[i]]
    below = Counter(pop.stratum[i] for i, _ in whole)
    n = len(pop) - len(skip)
    assert all(below[s] > 0 for s in range(2)) and sum(below.values()) < n


def test_bounds_for():
    assert selection.bounds_for([0, 5, 5], [10, 10, 10**6])[:2] == [b"", selection.INFINITE]
    b = selection.bounds_for([1000], [10**6])[0]
    assert len(b) == 32 and int.from_bytes(b, "big") / 2**256 == pytest.approx((1000 + 8 * 31 + 64) / 10**6)
