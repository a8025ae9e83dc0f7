"""The parallel draw (generator/draws/parallel.py) equals engine.draw byte for byte, and the
protocol's speed-only code paths equal their reference definitions."""

from __future__ import annotations

import hashlib
import random

import pytest
from test_protocol_fixtures import NUMBERS, SOURCES

from generator.draws import parallel
from generator.protocol import engine
from generator.protocol.canonical import iter_rows, parse_field, write_csv
from generator.protocol.encoding import USCC_ALPHABET, is_uscc, uscc_check_char
from generator.protocol.errors import ProtocolError
from generator.protocol.params import build_params, labeller, stratum_of
from generator.protocol.tickets import Tickets, hash_chain, ticket

UNITS = ("hq", "st-a", "st-b", "st-c", "st-d")
RISKS = ("高", "中", "低")
INDUSTRIES = ("食品销售", "餐饮服务", "药品零售", "特种设备")
TAGS = ("食品", "药品", "特种设备")


def _code(rng: random.Random) -> str:
    body = "91" + "".join(rng.choice("0123456789") for _ in range(6)) + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def _case(seed: int):
    rng = random.Random(seed)
    codes = sorted({_code(rng) for _ in range(rng.randint(300, 1500))})
    directory = [
        (c, rng.choice(("企业", "个体工商户")), rng.choice(INDUSTRIES), rng.choice(RISKS), rng.choice(UNITS),
         f"{rng.randint(2000, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
         "存续" if rng.random() < 0.9 else "注销")
        for c in codes
    ]
    roster = [
        (f"i{n:03d}", rng.choice(UNITS), rng.random() < 0.9, set(rng.sample(TAGS, rng.randint(0, 2))),
         rng.choice((0, 0, 0, 3, 8)), set(rng.sample(codes, 2)) if rng.random() < 0.1 else set())
        for n in range(rng.randint(8, 40))
    ]
    experts = [(f"x{n:02d}", set(rng.sample(TAGS, rng.randint(1, 2))), set()) for n in range(6)]
    scope = rng.choice([{"kind": "all"}, {"kind": "own"}, {"kind": "hq+own", "hq": ["hq"]},
                        {"kind": "units", "units": ["st-a", "st-b"]}])
    strata = [
        {"when": [{"column": "industry_risk", "op": "eq", "value": "高"}], "ratio": rng.choice(["5%", "12.5%", "100%"])},
        {"when": [{"column": "industry", "op": "in", "value": ["药品零售", "餐饮服务"]}], "count": rng.randint(1, 40)},
        {"when": [], "ratio": rng.choice(["1%", "3%", "33.3333%"])},
    ]
    population = [{"column": "status", "op": "eq", "value": "存续"}]
    if rng.random() < 0.5:
        population.append({"column": "registered", "op": "before", "value": "2020-01-01"})
    p = build_params(
        task="T-PAR", mode="public", population=population, strata=strata,
        group_size=rng.choice((2, 2, 3)), scope=scope, expertise=rng.choice([[], ["食品"], ["食品", "药品"]]),
        experts=rng.choice([{"count": 0}, {"count": 1, "expertise": ["食品"]}]),
        exclusion_rules=["same-item-same-year"], items=["SC-01"], sources=SOURCES, n=2,
    )
    files = {
        "directory.csv": write_csv("directory.csv", directory),
        "roster.csv": write_csv("roster.csv", roster),
        "experts.csv": write_csv("experts.csv", experts),
    }
    label_of = labeller(p)
    population_codes = [r[0] for r in directory if label_of(r) is not None]
    excluded = rng.sample(population_codes, min(len(population_codes), rng.randint(0, 30)))
    exclusions = write_csv("exclusions.csv", [(c, "same-item-same-year", "T-OTHER", hashlib.sha256(c.encode()).hexdigest()) for c in excluded])
    code = hash_chain(hashlib.sha256(f"secret {seed}".encode()).digest(), 2)[1]
    return p, files, exclusions, code


@pytest.mark.parametrize("seed", range(12))
def test_parallel_equals_engine(seed):
    p, files, exclusions, code = _case(seed)
    want = engine.draw(p, files, exclusions, code, NUMBERS)
    got = parallel.draw(p, files, exclusions, code, NUMBERS, workers=2, min_rows=0)
    assert got.listing == want.listing
    assert got.cutoffs_csv == want.cutoffs_csv
    assert got.selection_sha256 == want.selection_sha256
    assert got == want


def test_the_cases_include_a_failed_draw():
    """Seed 5's groups fail part-way: the lines after the failure (engine.form_groups) are
    compared above too."""
    p, files, exclusions, code = _case(5)
    out = engine.draw(p, files, exclusions, code, NUMBERS)
    assert out.status == "failed" and out.failure


def test_parallel_path_really_runs(monkeypatch):
    """No silent fallback to the engine on a valid directory."""
    p, files, exclusions, code = _case(99)
    monkeypatch.setattr(parallel.engine, "draw", lambda *a, **k: pytest.fail("fell back to engine.draw"))
    monkeypatch.setattr(parallel, "scan", lambda *a, **k: pytest.fail("the one-pass scan and selection declined"))
    got = parallel.draw(p, files, exclusions, code, NUMBERS, workers=2, min_rows=0)
    assert got.listing


def test_bad_directory_gives_the_engines_error():
    p, files, exclusions, code = _case(3)
    lines = files["directory.csv"].split(b"\n")
    lines[len(lines) // 2], lines[len(lines) // 2 + 1] = lines[len(lines) // 2 + 1], lines[len(lines) // 2]
    bad = dict(files, **{"directory.csv": b"\n".join(lines)})
    with pytest.raises(ProtocolError) as want:
        engine.draw(p, bad, exclusions, code, NUMBERS)
    with pytest.raises(ProtocolError) as got:
        parallel.draw(p, bad, exclusions, code, NUMBERS, workers=2, min_rows=0)
    assert str(got.value) == str(want.value)


def test_line_chunks_cover_every_line():
    data = b"h\n" + b"".join(f"row{n},x\n".encode() for n in range(1000))
    for parts in (1, 2, 3, 7, 50, 5000):
        spans = parallel.line_chunks(data, 2, parts)
        assert spans[0][0] == 2 and spans[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
        assert all(data[e - 1:e] == b"\n" for _, e in spans)


# ------------------------------------------------------------- speed-only paths of the protocol


def test_fast_paths_equal_reference():
    rng = random.Random(7)
    for _ in range(3000):
        s = "".join(rng.choice(USCC_ALPHABET if i < 2 or i > 7 else "0123456789") for i in range(17))
        assert is_uscc(s + uscc_check_char(s))
        assert not is_uscc(s + USCC_ALPHABET[(USCC_ALPHABET.index(uscc_check_char(s)) + 1) % 31])
    t = Tickets(hash_chain(b"\x01" * 32, 1)[1], "1./2./")
    for label in ("913501004MA4B2277E", "913501004MA4B2277E/insp-04", "x/expert/专家", ""):
        assert t.label(label) == ticket(t.prk, label)
    p, files, _, _ = _case(5)
    label_of = labeller(p)
    names = ("type", "industry", "industry_risk", "unit", "registered", "status")
    for row in iter_rows("directory.csv", files["directory.csv"]):
        assert label_of(row) == stratum_of(p, dict(zip(names, row[1:], strict=True)))


def test_iter_rows_memo_keeps_refusing():
    head = b"code,type,industry,industry_risk,unit,registered,status\n"
    good = "913501004MA4B2277E"
    assert is_uscc(good)
    data = head + f"{good},a,b,c,d,2020-01-01,e\n".encode()
    assert list(iter_rows("directory.csv", data))[0][0] == good
    with pytest.raises(ValueError):
        parse_field("date", "2020-02-30")


def test_directory_columns_are_text_typed():
    """parallel._checked_rows relies on every directory.csv value being its field's text."""
    from generator.protocol.canonical import SCHEMAS

    assert {kind for _, kind in SCHEMAS["directory.csv"]} <= {"code", "text", "date"}


def test_tight_bounds_fall_back_to_the_separate_steps(monkeypatch):
    """When a stratum has fewer than k candidates below the spans' bounds, the draw runs the
    scan and the selection apart (still in parallel, still exact), not the engine."""
    p, files, exclusions, code = _case(4)
    want = engine.draw(p, files, exclusions, code, NUMBERS)
    monkeypatch.setattr(parallel, "bounds_for", lambda ks, ns: [b"" for _ in ks])  # no candidate at all
    steps = []
    real_scan = parallel.scan
    monkeypatch.setattr(parallel, "scan", lambda *a, **k: steps.append("scan") or real_scan(*a, **k))
    monkeypatch.setattr(parallel.engine, "draw", lambda *a, **k: pytest.fail("fell back to engine.draw"))
    got = parallel.draw(p, files, exclusions, code, NUMBERS, workers=2, min_rows=0)
    assert steps == ["scan"] and got == want


def test_rows_out_of_order_across_spans_give_the_engines_error():
    p, files, exclusions, code = _case(6)
    lines = files["directory.csv"].split(b"\n")
    half = len(lines) // 2
    bad = dict(files, **{"directory.csv": b"\n".join(lines[:1] + lines[half:-1] + lines[1:half] + [b""])})
    with pytest.raises(ProtocolError) as want:
        engine.draw(p, bad, exclusions, code, NUMBERS)
    with pytest.raises(ProtocolError) as got:
        parallel.draw(p, bad, exclusions, code, NUMBERS, workers=2, min_rows=0)
    assert str(got.value) == str(want.value)


def test_stratum_in_one_part_of_the_file_uses_the_one_pass(monkeypatch):
    """A stratum whose members sit in a few spans only (a unit's codes share a prefix): the
    spans without members bound nothing, so the one-pass selection still applies, exactly."""
    rng = random.Random(11)
    codes = sorted({_code(rng) for _ in range(1200)})
    directory = [(c, "企业", "食品销售", rng.choice(RISKS), "st-a" if n < 150 else rng.choice(UNITS[1:]),
                  "2010-01-01", "存续") for n, c in enumerate(codes)]
    roster = [(f"i{n:03d}", UNITS[n % len(UNITS)], True, {"食品"}, 0, set()) for n in range(30)]
    p = build_params(
        task="T-PART", mode="public", population=[],
        strata=[{"when": [{"column": "unit", "op": "eq", "value": "st-a"}], "ratio": "10%"},
                {"when": [], "count": 25}],
        group_size=2, scope={"kind": "all"}, expertise=[], experts={"count": 0},
        exclusion_rules=[], items=["SC-01"], sources=SOURCES, n=2,
    )
    files = {"directory.csv": write_csv("directory.csv", directory), "roster.csv": write_csv("roster.csv", roster),
             "experts.csv": write_csv("experts.csv", [])}
    exclusions = write_csv("exclusions.csv", [])
    code = hash_chain(hashlib.sha256(b"part").digest(), 2)[1]
    want = engine.draw(p, files, exclusions, code, NUMBERS)
    monkeypatch.setattr(parallel, "scan", lambda *a, **k: pytest.fail("the one-pass scan and selection declined"))
    got = parallel.draw(p, files, exclusions, code, NUMBERS, workers=2, min_rows=0)
    assert got == want and got.status == "ok"
