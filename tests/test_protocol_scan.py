"""The one-pass scan of directory.csv (generator/protocol/scan.py) equals the per-pass reference
functions of generator/protocol/derive.py: members, strata counts before and after exclusions,
per-unit counts for feasibility, membership of excluded codes — and refuses exactly the files
``iter_rows`` refuses, with the same error."""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.protocol import scan
from generator.protocol.canonical import parse_csv, row_count, write_csv
from generator.protocol.derive import count_strata, members
from generator.protocol.encoding import USCC_ALPHABET, uscc_check_char
from generator.protocol.errors import ProtocolError
from generator.protocol.params import build_params
from generator.protocol.selection import StreamingSelector, select_records
from generator.protocol.tickets import Tickets

SOURCES = [{
    "name": "drand", "game": "drand", "issue": "1", "scheduled": "2024-01-16T21:15:00+08:00",
    "take": "randomness", "count": 1, "ordered": True, "fallback": "next round", "url": "https://drand.love/",
}]
TYPES = ("企业", "个体工商户")
INDUSTRIES = ("食品销售", "餐饮服务", "药品零售")
RISKS = ("高", "中", "低")
UNITS = ("hq", "st-a", "st-b", "站 c")
STATUS = ("存续", "注销")
DATES = ("2001-02-03", "2019-12-31", "2020-01-01", "2023-07-15")
COLUMN_VALUES = {
    "type": TYPES, "industry": INDUSTRIES, "industry_risk": RISKS, "unit": UNITS,
    "registered": DATES, "status": STATUS, "risk": ("A", "B", "C"),
}

codes_st = st.builds(
    lambda body: body + uscc_check_char(body),
    st.text(alphabet="0123456789", min_size=8, max_size=8).flatmap(
        lambda head: st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9).map(lambda tail: head + tail)),
)
row_st = st.tuples(
    st.sampled_from(TYPES), st.sampled_from(INDUSTRIES), st.sampled_from(RISKS),
    st.sampled_from(UNITS), st.sampled_from(DATES), st.sampled_from(STATUS),
)


@st.composite
def condition(draw, audit: bool):
    column = draw(st.sampled_from(sorted(COLUMN_VALUES) if audit else sorted(set(COLUMN_VALUES) - {"risk"})))
    values = COLUMN_VALUES[column]
    ops = ["eq", "in", "prefix"] + (["before", "after"] if column == "registered" else [])
    op = draw(st.sampled_from(ops))
    if op == "in":
        value = draw(st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True))
    elif op == "prefix":
        value = draw(st.sampled_from(values))[:1]
    else:
        value = draw(st.sampled_from(values))
    return {"column": column, "op": op, "value": value}


@st.composite
def task(draw):
    audit = draw(st.booleans())
    codes = sorted(draw(st.sets(codes_st, max_size=60)))
    directory = [(c, *draw(row_st)) for c in codes]
    strata = [
        {"when": draw(st.lists(condition(audit), max_size=2)), "ratio": draw(st.sampled_from(["5%", "50%", "100%"]))}
        for _ in range(draw(st.integers(1, 3)))
    ]
    params = build_params(
        task="T-SCAN", mode="audit" if audit else "public",
        population=draw(st.lists(condition(audit), max_size=2)), strata=strata, group_size=2,
        scope={"kind": "all"}, expertise=[], experts={"count": 0}, exclusion_rules=["same-item-same-year"],
        items=["SC-01"], sources=SOURCES, n=1,
    )
    files = {"directory.csv": write_csv("directory.csv", directory)}
    if audit and codes:
        risky = draw(st.lists(st.sampled_from(codes), unique=True))
        files["risk.csv"] = write_csv("risk.csv", [(c, draw(st.sampled_from(COLUMN_VALUES["risk"]))) for c in risky])
    excluded = set(draw(st.lists(st.sampled_from(codes), unique=True, max_size=10))) if codes else set()
    excluded |= set(draw(st.lists(codes_st, max_size=3)))  # codes outside the directory
    return params, files, excluded


@contextlib.contextmanager
def chunk(size: int):
    """Force the fast path to cut the file into chunks of about ``size`` bytes."""
    old, scan._CHUNK = scan._CHUNK, size
    try:
        yield
    finally:
        scan._CHUNK = old


def _fields(pop: scan.Population) -> tuple:
    return (pop.labels, bytes(pop.records), list(pop.stratum), list(pop.unit), pop.unit_names,
            pop.n_before, +pop.per_unit, pop.rows)


def _old_per_unit(params, files, excluded) -> Counter:
    """Members per (unit, stratum) after exclusions, as refusals.feasibility counted them."""
    return Counter((unit, label) for code, label, unit in members(params, files) if code not in excluded)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(task(), st.sampled_from([1 << 22, 40, 200]))
def test_scan_equals_per_pass_functions(case, size):
    params, files, excluded = case
    with chunk(size):
        pop = scan.scan_files(params, files)
    ref = scan.scan_reference(params, files["directory.csv"], scan.risk_of(params, files))
    assert _fields(pop) == _fields(ref)
    assert list(pop.members()) == list(members(params, files))
    assert pop.rows == row_count(files["directory.csv"])
    ex = scan.apply_exclusions(pop, excluded)
    assert scan.stratum_counts(params, pop, ex) == count_strata(params, files, excluded)
    assert scan.stratum_counts(params, pop) == count_strata(params, files, set())
    per_unit = Counter({(pop.unit_names[u], pop.labels[s]): n for (u, s), n in ex.per_unit.items()})
    assert per_unit == _old_per_unit(params, files, excluded)
    population = {code for code, _, _ in members(params, files)}
    assert set(ex.members.values()) == excluded & population
    for i, (code, _, unit) in enumerate(members(params, files)):
        assert pop.index(code) == i and pop.code(i) == code and pop.unit_of(i) == unit
    for row in parse_csv("directory.csv", files["directory.csv"]):
        assert (pop.index(row[0]) is not None) == (row[0] in population)


MUTATIONS = [b",", b"\n", b"\r", b'"', b" ", b"\xff", b"\xef\xbb\xbf", b"a", b"0", b"I", "\u0301".encode(), b"\t", b";"]


@SETTINGS
@given(task(), st.data(), st.sampled_from([1 << 22, 40]))
def test_scan_refuses_what_iter_rows_refuses(case, data, size):
    params, files, _ = case
    raw = bytearray(files["directory.csv"])
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["insert", "replace", "delete", "swap", "dup"]))
        at = data.draw(st.integers(0, len(raw) - 1))
        if kind == "insert":
            raw[at:at] = data.draw(st.sampled_from(MUTATIONS))
        elif kind == "replace":
            raw[at:at + 1] = data.draw(st.sampled_from(MUTATIONS))
        elif kind == "delete":
            del raw[at]
        else:
            lines = bytes(raw).split(b"\n")
            if len(lines) > 3:
                i = data.draw(st.integers(1, len(lines) - 3))
                if kind == "swap":
                    lines[i], lines[i + 1] = lines[i + 1], lines[i]
                else:
                    lines.insert(i, lines[i])
                raw = bytearray(b"\n".join(lines))
    mutated = bytes(raw)
    risk = scan.risk_of(params, files)
    try:
        want = scan.scan_reference(params, mutated, risk)
    except ProtocolError as exc:
        want = str(exc)
    try:
        with chunk(size):
            got = scan.scan_directory(params, mutated, risk)
    except ProtocolError as exc:
        got = str(exc)
    if isinstance(want, str):
        assert got == want
        try:
            parse_csv("directory.csv", mutated)
        except ProtocolError as exc:
            assert str(exc) == want
    else:
        assert not isinstance(got, str) and _fields(got) == _fields(want)


@SETTINGS
@given(task(), st.binary(min_size=32, max_size=32))
def test_select_records_equals_streaming_selector(case, code):
    params, files, excluded = case
    pop = scan.scan_files(params, files)
    _assert_select_records_equals_selector(params, files, pop, excluded, Tickets(code, "1./"))


def _assert_select_records_equals_selector(params, files, pop, excluded, tickets) -> None:
    """``select_records`` over the scan equals the streaming selector fed member by member."""
    ex = scan.apply_exclusions(pop, excluded)
    k = {c.label: c.k for c in scan.stratum_counts(params, pop, ex)}
    want = StreamingSelector(k)
    for code, label, _ in members(params, files):
        if code not in excluded:
            want.add(code, label, tickets.enterprise(code))
    got = StreamingSelector(k)
    select_records(got, pop.labels, pop.records, pop.stratum, ex.members, tickets.prk, scan.RECORD)
    assert got.result() == want.result()


def test_large_heaps_and_ties_against_reference():
    """Many members, small k: the early drop above the kept maximum changes nothing."""
    codes = sorted(b + uscc_check_char(b) for b in (f"9100000{n:010d}" for n in range(3000)))
    directory = [(c, "企业", "食品销售", RISKS[i % 3], UNITS[i % 4], "2001-02-03", "存续") for i, c in enumerate(codes)]
    params = build_params(
        task="T-SCAN", mode="public", population=[], group_size=2,
        strata=[{"when": [{"column": "industry_risk", "op": "eq", "value": r}], "count": n}
                for r, n in (("高", 3), ("中", 40))] + [{"when": [], "ratio": "0.5%"}],
        scope={"kind": "all"}, expertise=[], experts={"count": 0}, exclusion_rules=[],
        items=["SC-01"], sources=SOURCES, n=1,
    )
    files = {"directory.csv": write_csv("directory.csv", directory)}
    with chunk(1000):
        pop = scan.scan_files(params, files)
    assert _fields(pop) == _fields(scan.scan_reference(params, files["directory.csv"]))
    _assert_select_records_equals_selector(params, files, pop, set(codes[::7]),
                                           Tickets(hashlib.sha256(b"x").digest(), "42./"))


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=32, max_size=32), codes_st,
       st.lists(st.tuples(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), st.booleans()), max_size=30))
def test_keyed_tickets_and_ranking_equal_reference(code, enterprise, people):
    from generator.protocol.groups import inspectors_from_rows, ranking
    from generator.protocol.selection import KeyedTickets, rank_inspectors

    tickets = Tickets(code, "7./")
    fast = KeyedTickets(tickets)
    for label in (enterprise, enterprise + "/x", enterprise + "/expert/张", ""):
        assert fast.label(label) == tickets.label(label)
    assert fast.inspector(enterprise, "a") == tickets.inspector(enterprise, "a")
    assert fast.expert(enterprise, "a") == tickets.expert(enterprise, "a")
    ids = {}
    for pid, qualified in people:
        ids.setdefault(pid.lower(), (pid, qualified))
    rows = sorted(((pid, "hq", q, (), 0, ()) for pid, q in ids.values()), key=lambda r: r[0].encode())
    inspectors = inspectors_from_rows(rows)
    assert rank_inspectors(fast, enterprise, inspectors) == ranking(tickets, enterprise, inspectors)
