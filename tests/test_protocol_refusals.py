"""Each refusal of PROTOCOL §3–§5 with a passing and a failing case; verify_task tamper tests."""

from __future__ import annotations

import hashlib

import pytest
from test_protocol_fixtures import (
    ANNOUNCE_TIME,
    EXCLUSIONS_EMPTY,
    NUMBERS,
    SECRET,
    SOURCES,
    directory_rows,
    files,
    params,
    roster_rows,
)

from generator.protocol import engine
from generator.protocol.errors import ProtocolError
from generator.protocol.exclusions import build_exclusions
from generator.protocol.listing import parse_listing
from generator.protocol.refusals import commit_refusals
from generator.protocol.sources import sources_json
from generator.protocol.tickets import hash_chain
from generator.protocol.verify import verify_task

C, CODE = hash_chain(SECRET, 3)


def rules_of(errors: list[ProtocolError]) -> set[str]:
    return {e.rule for e in errors}


def test_passing_case_has_no_refusal():
    assert commit_refusals(params(), files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME) == []


def test_entropy():
    p = params(sources=SOURCES[:3])  # 10.0 + 16.6 + 24.1 = 50.7 bits
    errors = commit_refusals(p, files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME)
    assert rules_of(errors) == {"entropy"} and "50.7 比特" in str(errors[0])


def test_timing():
    errors = commit_refusals(params(), files(), EXCLUSIONS_EMPTY, "2024-04-19T14:00:00Z")  # 22:00 Beijing
    assert rules_of(errors) == {"timing"} and "24 小时" in str(errors[0])
    assert commit_refusals(params(), files(), EXCLUSIONS_EMPTY, "2024-04-19T13:15:00Z") == []  # exactly 24 h


def test_floor_ratio_exempt_count_not():
    few = [{"column": "industry", "op": "eq", "value": "特种设备"}, {"column": "unit", "op": "eq", "value": "st-a"}]
    p = params(strata=[{"when": few, "ratio": "50%"}, {"when": [], "ratio": "10%"}])
    errors = commit_refusals(p, files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME)
    assert rules_of(errors) == {"floor"} and "须不少于 20 家" in str(errors[0])
    for ratio in ("100%", "100.0%", "100.0000%"):
        p = params(strata=[{"when": few, "ratio": ratio}, {"when": [], "ratio": "10%"}])
        assert commit_refusals(p, files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME) == []
    p = params(strata=[{"when": few, "count": 100}, {"when": [], "ratio": "10%"}])
    assert rules_of(commit_refusals(p, files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME)) == {"floor"}
    empty = [{"column": "industry", "op": "eq", "value": "无"}]
    p = params(strata=[{"when": empty, "ratio": "100%"}, {"when": [], "ratio": "10%"}])
    assert "空分层" in str(commit_refusals(p, files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME)[0])


def test_floor_counts_after_exclusions():
    rows = directory_rows()
    s1 = [r[0] for r in rows if r[3] == "高" and r[6] == "存续"]
    few = build_exclusions(s1[:40], {"T-old": {c: "ab" * 32 for c in s1[:40]}})
    errors = commit_refusals(params(), files(), few, ANNOUNCE_TIME)
    assert rules_of(errors) == {"floor"} and "S1 排除后只有 16 家" in str(errors[0])


def test_exclusion_must_be_population_member():
    closed = [r[0] for r in directory_rows() if r[6] == "注销"]
    data = build_exclusions(closed[:1], {"T-old": {closed[0]: "ab" * 32}})
    errors = commit_refusals(params(), files(), data, ANNOUNCE_TIME)
    assert rules_of(errors) == {"exclusion"} and errors[0].file == "exclusions.csv"


def test_feasibility():
    p = params(group_size=12)  # P = 11 qualified
    errors = commit_refusals(p, files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME)
    assert rules_of(errors) == {"feasibility"} and "P=11" in str(errors[0])
    p = params(scope={"kind": "own"}, expertise=["药品"])  # st-a has one 药品 holder with cap ⌈18·2/11⌉ = 4
    errors = commit_refusals(p, files(), EXCLUSIONS_EMPTY, ANNOUNCE_TIME)
    assert rules_of(errors) == {"feasibility"} and all("药品" in str(e) for e in errors)


def test_duplicate_ids_ignoring_case():
    roster = roster_rows()
    roster[0] = ("EXP-A",) + roster[0][1:]
    errors = commit_refusals(params(), files(roster=roster), EXCLUSIONS_EMPTY, ANNOUNCE_TIME)
    assert rules_of(errors) == {"ids"} and "不区分大小写" in str(errors[0])


def test_all_refusals_reported_at_once():
    p = params(sources=SOURCES[:1], group_size=12)
    errors = commit_refusals(p, files(), EXCLUSIONS_EMPTY, "2024-04-20T12:00:00Z")
    assert {"entropy", "timing", "feasibility"} <= rules_of(errors)


def test_reassign_refusals():
    d = engine.draw(params(), files(), EXCLUSIONS_EMPTY, CODE, NUMBERS)
    line = parse_listing(d.listing)[0]
    with pytest.raises(ProtocolError, match="改派原因"):
        engine.reassign(params(), files(), CODE, d.key_string, d.listing, [], line.code, line.inspectors[0], "holiday")
    with pytest.raises(ProtocolError, match="不在企业"):
        engine.reassign(params(), files(), CODE, d.key_string, d.listing, [], line.code, "insp-11", "recusal")


# ----------------------------------------------------------------- verify_task


def _bundle():
    p, f = params(), files()
    a = engine.announce(p, f, EXCLUSIONS_EMPTY, CODE, ANNOUNCE_TIME)
    d = engine.draw(p, f, EXCLUSIONS_EMPTY, CODE, NUMBERS)
    first = parse_listing(d.listing)[0]
    l1 = engine.reassign(p, f, CODE, d.key_string, d.listing, [], first.code, first.inspectors[0], "unavailable")
    bundle = dict(f)
    bundle.update({
        "params.json": a.params_bytes, "exclusions.csv": EXCLUSIONS_EMPTY, "code.txt": CODE.hex().encode() + b"\n",
        "sources.json": sources_json(d.key_string, [(s["issue"], n) for s, n in zip(p["sources"], d.numbers, strict=True)]),
        "listing-0.csv": d.listing, "listing-1.csv": l1, "listing.csv": l1, "cutoffs.csv": d.cutoffs_csv,
    })
    results = "code,inspected,completed,results,followups\n" + "".join(
        f"{c},2024-05-06,2024-05-20,R01,\n" for c in sorted(d.tickets))
    bundle["results.csv"] = results.encode()
    announce = dict(commitment=C.hex(), n=3, params_sha256=a.params_sha256, inputs=a.inputs, strata=a.strata,
                    sources=p["sources"], time=ANNOUNCE_TIME)
    draw = dict(key_string=d.key_string, selection_sha256=d.selection_sha256, status="ok", time="2024-04-23T02:00:00Z")
    reassigns = [dict(reason="unavailable", count=1, selection_sha256=hashlib.sha256(l1).hexdigest())]
    publish = dict(results_sha256=hashlib.sha256(results.encode()).hexdigest())
    return bundle, announce, draw, reassigns, dict(code=CODE.hex()), publish


def test_verify_task_all_ok():
    checks = verify_task(*_bundle(), set())
    assert [c for c in checks if not c.ok] == []
    assert len(checks) > 30


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1:]


@pytest.mark.parametrize("name", ["params.json", "directory.csv", "roster.csv", "experts.csv", "code.txt",
                                  "sources.json", "listing-0.csv", "listing-1.csv", "listing.csv", "cutoffs.csv",
                                  "results.csv", "exclusions.csv"])
def test_verify_task_detects_tampering(name):
    bundle, *rest = _bundle()
    data = bundle[name]
    for at in (0, len(data) // 2, len(data) - 2):
        tampered = dict(bundle)
        tampered[name] = _flip(data, at)
        try:
            checks = verify_task(tampered, *rest, set())
        except ProtocolError:
            continue  # refused outright is also a detection
        assert any(not c.ok for c in checks), (name, at)


def test_verify_task_reused_commitment_and_bad_entries():
    bundle, announce, draw, reassigns, reveal, publish = _bundle()
    bad = [c for c in verify_task(bundle, announce, draw, reassigns, reveal, publish, {C.hex()}) if not c.ok]
    assert [c.name for c in bad] == ["reuse.承诺"]
    draw2 = dict(draw, selection_sha256="00" * 32)
    bad = [c for c in verify_task(bundle, announce, draw2, reassigns, reveal, publish, set()) if not c.ok]
    assert [c.name for c in bad] == ["draw.selection_sha256"] and "不一致" in bad[0].detail
    draw3 = dict(draw, time="2024-04-22T12:00:00Z")  # before the last source's draw
    assert any(c.name.startswith("draw.time") and not c.ok for c in verify_task(bundle, announce, draw3, reassigns, reveal, publish, set()))
