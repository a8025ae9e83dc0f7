"""Golden vectors for every step of the draw (PROTOCOL §12: "Everything else is pinned by golden
vectors"). Computed once from the implementation, checked against an independent, naive
re-implementation written from the spec text (``_naive_draw`` below), then frozen as literals so
that any change of encoding or ordering fails.
"""

from __future__ import annotations

import hashlib
import hmac
import math

import pytest
from test_protocol_fixtures import (
    ANNOUNCE_TIME,
    EXCLUSIONS_EMPTY,
    NUMBERS,
    SECRET,
    directory_rows,
    expert_rows,
    files,
    params,
    roster_rows,
    uscc,
)

from generator.protocol import engine
from generator.protocol.exclusions import build_exclusions, exclusions_commitment
from generator.protocol.groups import Inspector, Rules, form_group, pick_experts, ranking
from generator.protocol.listing import parse_listing
from generator.protocol.params import params_sha256
from generator.protocol.tickets import Tickets, hash_chain, prk

COMMITMENT = "4f102a9616d2e642a79dc23ade4a9fc24cea8ec199642fa598805bf6895fcd36"
CODE = "7214fdcde587ffdbe470f393e99d006eb1b4c039d5adb09543f4727722bcabb8"
KEY = "3.0.7./0.8.4.4.1./5.9.12.18.23.27.31./2.4.10.11.19.28.33./"
PRK = "8c8abb8bc9986950a0f679ccc553e54bfa0b9404d4bbc5f81ddd8e6af2409c6e"
SELECTION = "b32e5b2dad99d3a565a63d18d074ada70ddd30774d3361424aa51bdb33056bb1"
LISTING_HEAD = (
    "913501004MA4B2277E,S2,0de145f03af4fce7329991c6a1defa3205491de416c45634c4170e0b4e523b6f,insp-04;insp-00,exp-b,-\n"
    "913501006MAE7F6C04,S1,268ddd45c3405f94026a149054c61df270e8eb2ef6747131fdc78f2fcb542e2b,insp-01;insp-00,exp-a,-\n"
)
CAP_LINE = "913501074MAEB624DR,S1,44b2a3dc0b3e1c2cae5c951c79661fa49ef6b30bf73a2da768525f1b2bb7d4da,insp-06;insp-01,exp-a,cap"
CUTOFFS = (
    b"label,N,k,cutoff\n"
    b"S1,56,12,44b2a3dc0b3e1c2cae5c951c79661fa49ef6b30bf73a2da768525f1b2bb7d4da\n"
    b"S2,56,6,13ee4e8b30a5d61e39db0a416bc54412056ab03a1efc1cb345d4f0991506a2a2\n"
)


def _code() -> bytes:
    return hash_chain(SECRET, 3)[1]


def test_inputs_and_params_vectors():
    f = files()
    got = {name: hashlib.sha256(data).hexdigest() for name, data in f.items()}
    assert got == {
        "directory.csv": "a0a962955321a511eb7995f5f0366f1dbd34fe04dd5f521b4b79488c46613ef4",
        "roster.csv": "b9402c08c859fdd328f55b06e96d67176208140fd620542b9306873edd840e6b",
        "experts.csv": "d3a85c2205c890d460f66dea9e7741f8fd4664d367d41840996f5dd69aa8f584",
    }
    assert f["experts.csv"] == (
        "id,expertise,recusals\nexp-a,食品,\n"
        f"exp-b,药品;食品,{uscc(3)}\nexp-c,药品,\nexp-d,食品,\n"
    ).encode()
    assert params_sha256(params()) == "3a1a38e6d00375d75eac1237870bfe9ceadc8a374e0b6115886908a0cb7baee0"
    assert EXCLUSIONS_EMPTY == b"code,rule,ref,ticket\n"
    assert exclusions_commitment(_code(), EXCLUSIONS_EMPTY) == "4f25d3b13408c882d5d1d62c860a568b9dc9b91ab0a595d46b3fb503dd0de4da"


def test_chain_prk_and_tickets():
    commitment, code = hash_chain(SECRET, 3)
    assert (commitment.hex(), code.hex()) == (COMMITMENT, CODE)
    assert prk(code, KEY).hex() == PRK
    t = Tickets(code, KEY)
    assert t.enterprise("913501004MA4B2277E").hex() == "0de145f03af4fce7329991c6a1defa3205491de416c45634c4170e0b4e523b6f"
    # an inspector's ticket is the ticket of the label code + "/" + id
    assert t.inspector("913501004MA4B2277E", "insp-04") == hmac.new(
        bytes.fromhex(PRK), b"913501004MA4B2277E/insp-04\x01", hashlib.sha256).digest()


def test_announce_vector():
    a = engine.announce(params(), files(), EXCLUSIONS_EMPTY, _code(), ANNOUNCE_TIME)
    assert a.ok, a.refusals
    assert a.strata == [{"label": "S1", "N_before": 56}, {"label": "S2", "N_before": 56}]
    assert a.inputs["exclusions.csv"] == {"sha256": "4f25d3b13408c882d5d1d62c860a568b9dc9b91ab0a595d46b3fb503dd0de4da", "rows": 0}
    assert a.inputs["directory.csv"]["rows"] == 120


def test_draw_vector():
    d = engine.draw(params(), files(), EXCLUSIONS_EMPTY, _code(), NUMBERS)
    assert d.key_string == KEY
    assert (d.status, d.failure) == ("ok", None)
    assert d.listing.startswith(LISTING_HEAD.encode())
    assert CAP_LINE in d.listing.decode().splitlines()
    assert d.selection_sha256 == SELECTION == hashlib.sha256(d.listing).hexdigest()
    assert d.cutoffs_csv == CUTOFFS
    assert d.listing == _naive_draw(params(), roster_rows(), expert_rows())


def test_failed_draw_vector():
    roster = roster_rows()
    roster[5] = ("insp-05", "st-c", True, {"食品", "特种设备"}, 2, set())  # the only holder, own cap 2
    p = params(expertise=["特种设备"])
    d = engine.draw(p, files(roster=roster), EXCLUSIONS_EMPTY, _code(), NUMBERS)
    assert (d.status, d.failure) == ("failed", "expertise")
    assert d.selection_sha256 == "e66b83b01e1ffcc93476530a55d7c1fbf97407c62ad5b7b74dcdb97040eb5159"
    filled = [ln.text() for ln in parse_listing(d.listing) if ln.inspectors]
    assert filled == [
        "913501015MAE629FAL,S2,00baa72a0bc9d0b127fa6a8b5abc295953d88d0e3ca7ccd1e80507438c135981,insp-05;insp-04,exp-b,-",
        "913501114MA9F1F9DF,S1,00862149079638bbe07b75634d7bd64936a48177b930bdea6aecd40298a52858,insp-03;insp-05,exp-b,-",
    ]
    assert all(ln.fallback == "-" and not ln.experts for ln in parse_listing(d.listing) if not ln.inspectors)
    assert d.listing == _naive_draw(p, roster, expert_rows())


def test_exclusions_vector():
    code = _code()
    pop = [r[0] for r in directory_rows()[:5]]
    data = build_exclusions(pop, {"T2023-9": {pop[1]: "ab" * 32}, "T2023-1": {pop[1]: "cd" * 32, pop[3]: "ef" * 32}})
    assert data == (f"code,rule,ref,ticket\n{pop[1]},same-item-same-year,T2023-1,{'cd' * 32}\n"
                    f"{pop[3]},same-item-same-year,T2023-1,{'ef' * 32}\n").encode()
    d = engine.draw(params(), files(), data, code, NUMBERS)
    lines = d.cutoffs_csv.split(b"\n")
    assert lines[1].startswith(b"S1,55,11,") and lines[2].startswith(b"S2,55,6,")
    assert {ln.code for ln in parse_listing(d.listing)}.isdisjoint({pop[1], pop[3]})


# ----------------------------------------------------------------- groups: each fallback

T = Tickets(bytes(32), "1./")
E, UNIT = uscc(7), "st-a"


def _insp(i: str, unit: str = "st-a", tags=(), cap=0, rec=()) -> Inspector:
    return Inspector(i, unit, True, frozenset(tags), cap, frozenset(rec))


def _rules(kind="all", tags=(), cap=10, g=2, **scope) -> Rules:
    return Rules(g, {"kind": kind, **scope}, tuple(tags), cap)


def test_group_no_fallback_and_rank_order():
    people = [_insp(f"i{n}") for n in range(5)]
    ranked = ranking(T, E, people)
    assert [i.id for i in ranked] == ["i2", "i4", "i3", "i1", "i0"]
    assert form_group(ranked, E, UNIT, {}, _rules()) == (("i2", "i4"), "-")


def test_group_cap_fallback():
    ranked = ranking(T, E, [_insp(f"i{n}") for n in range(3)])
    loads = {"i0": 1, "i1": 1}
    assert [i.id for i in ranked] == ["i2", "i1", "i0"]
    assert form_group(ranked, E, UNIT, loads, _rules(cap=1)) == (("i2", "i1"), "cap")
    # own caps still hold under "cap" and "all": i1 has own cap 1
    ranked = ranking(T, E, [_insp("i0"), _insp("i1", cap=1), _insp("i2")])
    assert form_group(ranked, E, UNIT, loads, _rules(cap=1)) == (("i2", "i0"), "cap")
    ranked = ranking(T, E, [_insp("i0", cap=1), _insp("i1", cap=1), _insp("i2")])
    assert form_group(ranked, E, UNIT, loads, _rules(cap=1)) == "load"


def test_group_all_fallback():
    people = [_insp("i0"), _insp("i1", unit="st-b"), _insp("i2", unit="st-b")]
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules("own")) == (("i2", "i1"), "all")
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules("units", units=["st-b"])) == (("i2", "i1"), "-")
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules("hq+own", hq=["hq"])) == (("i2", "i1"), "all")
    people[2] = _insp("i2", unit="hq")
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules("hq+own", hq=["hq"])) == (("i2", "i0"), "-")


def test_group_failures():
    people = [_insp("i0", rec=[E]), _insp("i1", rec=[E]), _insp("i2")]
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules()) == "recusal"
    people = [_insp(f"i{n}") for n in range(3)]
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules(tags=["食品"])) == "expertise"
    assert form_group(ranking(T, E, people[:1]), E, UNIT, {}, _rules()) == "scope"


def test_expertise_swaps():
    # rank: i2, i4, i3, i1, i0 — G = {i2, i4}; 食品 only i0 → replace i4 (lowest-ranked, free)
    people = [_insp("i0", tags=["食品"]), _insp("i1"), _insp("i2"), _insp("i3"), _insp("i4")]
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules(tags=["食品"])) == (("i2", "i0"), "-")
    # i4 holds 药品 (a covered tag depends on it), so 食品 replaces i2 instead
    people[4] = _insp("i4", tags=["药品"])
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules(tags=["药品", "食品"])) == (("i4", "i0"), "-")
    # both pinned → no replaceable member → expertise
    people[2] = _insp("i2", tags=["特种"])
    assert form_group(ranking(T, E, people), E, UNIT, {}, _rules(tags=["特种", "药品", "食品"])) == "expertise"


def test_experts_vector():
    experts = [_e for _e in engine.experts_from_rows([(i, tuple(sorted(t)), tuple(r)) for i, t, r in expert_rows()])]
    assert pick_experts(T, E, experts, {"count": 2, "expertise": ["食品"]}) == ("exp-d", "exp-a")
    assert pick_experts(T, uscc(3), experts, {"count": 3, "expertise": ["食品"]}) is None  # exp-b recused
    assert pick_experts(T, E, experts, {"count": 0}) == ()


# ----------------------------------------------------------------- independent naive draw


def _naive_draw(p: dict, roster: list, experts: list) -> bytes:
    """A deliberately plain re-implementation of §6 straight from the text (full sorts, no heaps)."""
    code = _code()
    prk_ = hmac.new(code, KEY.encode(), hashlib.sha256).digest()

    def tk(label: str) -> bytes:
        return hmac.new(prk_, label.encode() + b"\x01", hashlib.sha256).digest()

    def meets(c, row):
        v = row[c["column"]]
        return {"eq": v == c["value"], "in": v in c["value"], "prefix": v.startswith(c["value"]),
                "before": v < c["value"], "after": v > c["value"]}[c["op"]]

    strata = {s["label"]: [] for s in p["strata"]}
    units = {}
    for code_, type_, ind, risk, unit, reg, status in directory_rows():
        row = dict(type=type_, industry=ind, industry_risk=risk, unit=unit, registered=reg, status=status)
        if all(meets(c, row) for c in p["population"]):
            for s in p["strata"]:
                if all(meets(c, row) for c in s["when"]):
                    strata[s["label"]].append(code_)
                    units[code_] = unit
                    break
    chosen = []
    for s in p["strata"]:
        n = len(strata[s["label"]])
        pct = s["ratio"][:-1]
        k = math.ceil(int(pct.replace(".", "")) * n / (100 * 10 ** (len(pct.split(".")[1]) if "." in pct else 0)))
        chosen += [(tk(c), c, s["label"]) for c in sorted(strata[s["label"]], key=lambda c: (tk(c), c))[:k]]
    chosen.sort()
    qualified = [r for r in roster if r[2]]
    g = p["group_size"]
    cap = -(-len(chosen) * g // len(qualified))
    load = {r[0]: 0 for r in qualified}
    lines, failed = [], False
    for t, c, label in chosen:
        group, fb = None, "-"
        if not failed:
            ranked = sorted(qualified, key=lambda r: (tk(c + "/" + r[0]), r[0]))
            for fb in ("-", "cap", "all"):
                lim = {r[0]: (min(cap, r[4]) if r[4] else cap) if fb == "-" else (r[4] or 10**9) for r in ranked}
                cands = [r for r in ranked if (fb == "all" or p["scope"]["kind"] == "all" or r[1] == units[c])
                         and c not in r[5] and load[r[0]] < lim[r[0]]]
                if len(cands) < g:
                    continue
                grp = cands[:g]
                for tag in sorted(p["expertise"], key=str.encode):
                    if any(tag in m[3] for m in grp):
                        continue
                    new = [x for x in cands if x not in grp and tag in x[3]]
                    only = {m[0] for m in grp for tg in p["expertise"] if [h[0] for h in grp if tg in h[3]] == [m[0]]}
                    free = [m for m in grp if m[0] not in only]
                    if not new or not free:
                        grp = None
                        break
                    grp.remove(free[-1] if len(free) == 1 else max(free, key=cands.index))
                    grp.append(new[0])
                if grp:
                    group = sorted(grp, key=cands.index)
                    break
            ex = sorted([e for e in experts if set(p["experts"].get("expertise", [])) <= e[1] and c not in e[2]],
                        key=lambda e: (tk(c + "/expert/" + e[0]), e[0]))[: p["experts"]["count"]]
            if group is None or len(ex) < p["experts"]["count"]:
                failed = True
            else:
                for m in group:
                    load[m[0]] += 1
        if failed or group is None:
            lines.append(f"{c},{label},{t.hex()},,,-")
        else:
            lines.append(f"{c},{label},{t.hex()},{';'.join(m[0] for m in group)},{';'.join(e[0] for e in ex)},{fb}")
    return "".join(ln + "\n" for ln in sorted(lines, key=str.encode)).encode()


@pytest.mark.parametrize("group_size", [2, 3])
def test_naive_agrees_other_shapes(group_size):
    p = params(group_size=group_size, strata=[{"when": [], "ratio": "33.3333%"}])
    d = engine.draw(p, files(), EXCLUSIONS_EMPTY, _code(), NUMBERS)
    assert d.listing == _naive_draw(p, roster_rows(), expert_rows())
