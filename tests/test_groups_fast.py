"""The speed-only group paths of generator/protocol/groups.py equal their reference definitions:
``Ranker.rank`` = ``ranking`` and ``form_group`` (lazy ``attempt``) = ``form_group_reference``
(``eligible`` then ``swap_for_expertise``), on random rosters, scopes, recusals, loads, caps,
expertise and every fallback, including the in-scope pool with the ``full`` ranking on demand."""

from __future__ import annotations

import hashlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.protocol.groups import (
    Inspector,
    Ranker,
    Rules,
    attempt,
    eligible,
    form_group,
    form_group_reference,
    in_scope_pool,
    ranking,
    swap_for_expertise,
)
from generator.protocol.tickets import Tickets

UNITS = ("hq", "st-a", "st-b", "st-c")
TAGS = ("食品", "药品", "特种设备", "b", "a")
CODES = ("91110000MA01AAAA0X", "91110000MA01BBBB1Y", "E3", "企业/甲")
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _ids():
    return st.text(alphabet="ab01/é检", min_size=1, max_size=4)


@st.composite
def cases(draw):
    ids = draw(st.lists(_ids(), min_size=0, max_size=14, unique=True))
    roster = [
        Inspector(
            i,
            draw(st.sampled_from(UNITS)),
            draw(st.booleans()) or draw(st.booleans()),
            frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=3))),
            draw(st.integers(0, 3)),
            frozenset(draw(st.lists(st.sampled_from(CODES), max_size=2))),
        )
        for i in ids
    ]
    kind = draw(st.sampled_from(("all", "own", "units", "hq+own")))
    scope = {"kind": kind}
    if kind == "units":
        scope["units"] = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=3, unique=True))
    if kind == "hq+own":
        scope["hq"] = draw(st.lists(st.sampled_from(UNITS), min_size=1, max_size=2, unique=True))
    tags = tuple(sorted(draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True)), key=str.encode))
    rules = Rules(draw(st.integers(2, 4)), scope, tags, draw(st.integers(0, 4)))
    loads = {i: draw(st.integers(0, 4)) for i in ids if draw(st.booleans())}
    code = draw(st.sampled_from(CODES))
    unit = draw(st.sampled_from(UNITS))
    seed = draw(st.binary(min_size=1, max_size=8))
    return roster, rules, loads, code, unit, seed


def _tickets(seed: bytes) -> Tickets:
    return Tickets(hashlib.sha256(seed).digest(), "key " + seed.hex())


@SETTINGS
@given(cases())
def test_ranker_equals_ranking(case):
    roster, _rules, _loads, code, _unit, seed = case
    t = _tickets(seed)
    assert Ranker(t.prk).rank(code, roster) == ranking(t, code, roster)


@SETTINGS
@given(cases(), st.sampled_from(("-", "cap", "all")))
def test_attempt_equals_eligible_then_swap(case, fallback):
    roster, rules, loads, code, unit, seed = case
    ranked = ranking(_tickets(seed), code, roster)
    cands = eligible(ranked, code, unit, loads, rules, fallback)
    if isinstance(cands, str):
        want = cands
    else:
        group = swap_for_expertise(cands[: rules.group_size], cands, rules.expertise)
        want = "expertise" if group is None else tuple(m.id for m in group)
    assert attempt(ranked, code, unit, loads, rules, fallback) == want


@SETTINGS
@given(cases())
def test_form_group_equals_reference(case):
    roster, rules, loads, code, unit, seed = case
    t = _tickets(seed)
    full = ranking(t, code, roster)
    want = form_group_reference(full, code, unit, loads, rules)
    assert form_group(full, code, unit, loads, rules) == want
    # the engine's way: the in-scope pool ranked, the whole ranking only on demand
    pool = Ranker(t.prk).rank(code, in_scope_pool(roster, unit, rules))
    assert form_group(pool, code, unit, loads, rules, full=lambda: ranking(t, code, roster)) == want


@SETTINGS
@given(cases(), st.integers(1, 12))
def test_sequential_groups_equal_reference(case, rounds):
    """Loads carried over many enterprises, as in the draw, reach caps and every fallback."""
    roster, rules, _loads, _code, _unit, seed = case
    t = _tickets(seed)
    ranker = Ranker(t.prk)
    fast: dict[str, int] = {}
    ref: dict[str, int] = {}
    for n in range(rounds):
        code, unit = CODES[n % len(CODES)] + str(n), UNITS[n % len(UNITS)]
        full = ranking(t, code, roster)
        want = form_group_reference(full, code, unit, ref, rules)
        got = form_group(ranker.rank(code, in_scope_pool(roster, unit, rules)), code, unit, fast, rules,
                         full=lambda code=code: ranker.rank(code, roster))
        assert got == want
        if isinstance(want, str):
            break
        for i in want[0]:
            ref[i] = ref.get(i, 0) + 1
            fast[i] = fast.get(i, 0) + 1
