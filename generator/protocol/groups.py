"""Inspector groups and experts (PROTOCOL §6.6, §6.7, §13 "Groups").

For each selected enterprise e, in ascending (ticket, code) order:

1. candidates = qualified inspectors sorted by ``(ticket(e + "/" + id), id bytes)``;
2. keep those the scope allows, then the not recused, then those with load below their limit;
   fewer than g after a filter → the attempt fails on that filter (``scope``/``recusal``/``load``);
3. G = the first g;
4. for each required tag not covered by G, in byte order (coverage recomputed before each tag):
   replace the lowest-ranked member of G on which no covered tag depends (a tag depends on a
   member that is its only holder in G) with the first remaining candidate holding the tag;
   no holder or no replaceable member → fails on ``expertise``;
5. G in rank order; each member's load + 1.

Limits: ``cap = ⌈K·g / P⌉``; limit = min(cap, own cap) (own cap 0 = none). A failed attempt is
retried with fallback ``cap`` (formula cap dropped, own caps hold), then ``all`` (cap dropped,
scope widened to all); still failing → the draw fails with the last attempt's failure name.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

from .selection import hmac_states
from .tickets import Tickets

FALLBACKS = ("-", "cap", "all")
UNLIMITED = 2**63


@dataclass(frozen=True)
class Inspector:
    id: str
    unit: str
    qualified: bool
    expertise: frozenset[str]
    cap: int  # 0 = no own cap
    recusals: frozenset[str]


@dataclass(frozen=True)
class Expert:
    id: str
    expertise: frozenset[str]
    recusals: frozenset[str]


@dataclass(frozen=True)
class Rules:
    """What a group must satisfy, from the parameter object and the roster."""

    group_size: int  # g ≥ 2
    scope: Mapping  # {"kind": …, "units"/"hq": […]}
    expertise: tuple[str, ...]  # required tags, sorted by bytes
    cap: int  # ⌈K·g / P⌉

    @staticmethod
    def make(params: Mapping, k_total: int, qualified: int) -> Rules:
        g = params["group_size"]
        cap = (k_total * g + qualified - 1) // qualified if qualified else 0  # ⌈K·g/P⌉
        tags = tuple(sorted(params["expertise"], key=lambda t: t.encode("utf-8")))
        return Rules(g, params["scope"], tags, cap)


def inspectors_from_rows(rows: Sequence[tuple]) -> list[Inspector]:
    """Typed ``roster.csv`` rows → inspectors."""
    return [Inspector(i, u, q, frozenset(e), c, frozenset(r)) for i, u, q, e, c, r in rows]


def experts_from_rows(rows: Sequence[tuple]) -> list[Expert]:
    return [Expert(i, frozenset(e), frozenset(r)) for i, e, r in rows]


def in_scope(insp: Inspector, unit: str, scope: Mapping, widened: bool) -> bool:
    """§3 scopes over the enterprise's ``unit`` and the inspector's ``unit``."""
    kind = "all" if widened else scope["kind"]
    if kind == "all":
        return True
    if kind == "own":
        return insp.unit == unit
    if kind == "units":
        return insp.unit in scope["units"]
    return insp.unit in scope["hq"] or insp.unit == unit  # hq+own


def limit(insp: Inspector, cap: int, fallback: str) -> int:
    """min(cap, own cap); fallback ``cap``/``all`` drop the formula cap only."""
    formula = UNLIMITED if fallback != "-" else cap
    return min(formula, insp.cap) if insp.cap > 0 else formula


def ranking(tickets: Tickets, code: str, inspectors: Sequence[Inspector]) -> list[Inspector]:
    """§6.6.1: qualified inspectors by ``(ticket(e + "/" + id), id bytes)``."""
    keyed = [(tickets.inspector(code, i.id), i.id.encode(), i) for i in inspectors if i.qualified]
    keyed.sort(key=lambda t: (t[0], t[1]))
    return [i for _, _, i in keyed]


class Ranker:
    """:func:`ranking` (speed only; same order, same bytes): each ``ticket(e + "/" + id)`` =
    ``HMAC(PRK, e ‖ "/" ‖ id ‖ 0x01)`` from pre-keyed SHA-256 states, the enterprise prefix
    hashed once per enterprise, the tickets of one enterprise computed by C-level ``map`` over
    hash objects, and the qualified inspectors of each list of inspectors (immutable
    :class:`Inspector` objects, keyed by identity) with their encoded ids prepared once."""

    _PREPARED_MAX = 4096

    def __init__(self, prk: bytes) -> None:
        self._inner, self._outer = hmac_states(prk)
        self._prepared: dict[tuple[int, ...], tuple] = {}

    def _prepare(self, inspectors: Sequence[Inspector]) -> tuple:
        key = tuple(map(id, inspectors))
        got = self._prepared.get(key)
        if got is None:
            qualified = [n for n, i in enumerate(inspectors) if i.qualified]
            raw = [inspectors[n].id.encode("utf-8") for n in qualified]
            # the inspectors themselves are kept, so that no id in the key is reused meanwhile
            got = (tuple(inspectors), qualified, raw, [r + b"\x01" for r in raw])
            if len(self._prepared) >= self._PREPARED_MAX:
                self._prepared.clear()
            self._prepared[key] = got
        return got

    def rank(self, code: str, inspectors: Sequence[Inspector]) -> list[Inspector]:
        _, qualified, raw, messages = self._prepare(inspectors)
        pre = self._inner.copy()
        pre.update((code + "/").encode("utf-8"))
        cls = type(pre)
        copy, update, digest = cls.copy, cls.update, cls.digest
        m = len(messages)
        inner = list(map(copy, repeat(pre, m)))
        deque(map(update, inner, messages), 0)
        outer = list(map(copy, repeat(self._outer, m)))
        deque(map(update, outer, map(digest, inner)), 0)
        keyed = sorted(zip(map(digest, outer), raw, qualified, strict=True))  # (ticket, id bytes); ids unique
        return [inspectors[n] for _, _, n in keyed]


def eligible(
    ranked: Sequence[Inspector], code: str, unit: str, loads: Mapping[str, int], rules: Rules,
    fallback: str,
) -> list[Inspector] | str:
    """Step 2: the filtered candidates in rank order, or the name of the failing filter."""
    g = rules.group_size
    kept = [i for i in ranked if in_scope(i, unit, rules.scope, fallback == "all")]
    if len(kept) < g:
        return "scope"
    kept = [i for i in kept if code not in i.recusals]
    if len(kept) < g:
        return "recusal"
    kept = [i for i in kept if loads.get(i.id, 0) < limit(i, rules.cap, fallback)]
    if len(kept) < g:
        return "load"
    return kept


def swap_for_expertise(group: list[Inspector], cands: Sequence[Inspector], tags: Sequence[str]) -> list[Inspector] | None:
    """Step 4 of §6.6 / §13: returns the covering group in rank order, or ``None`` (expertise)."""
    rank = {i.id: n for n, i in enumerate(cands)}
    group = list(group)
    for tag in tags:
        if any(tag in m.expertise for m in group):
            continue
        ids = {m.id for m in group}
        new = next((c for c in cands if c.id not in ids and tag in c.expertise), None)
        if new is None:
            return None
        holders = {t: [m for m in group if t in m.expertise] for t in tags}
        pinned = {hs[0].id for hs in holders.values() if len(hs) == 1}  # a covered tag depends on it
        free = [m for m in group if m.id not in pinned]
        if not free:
            return None
        group.remove(max(free, key=lambda m: rank[m.id]))  # the lowest-ranked replaceable member
        group.append(new)
    return sorted(group, key=lambda m: rank[m.id])


def in_scope_pool(inspectors: Sequence[Inspector], unit: str, rules: Rules) -> list[Inspector]:
    """The qualified inspectors the (unwidened) scope allows for an enterprise of ``unit``."""
    return [i for i in inspectors if i.qualified and in_scope(i, unit, rules.scope, False)]


def form_group(
    ranked: Sequence[Inspector], code: str, unit: str, loads: Mapping[str, int], rules: Rules,
    full: Callable[[], Sequence[Inspector]] | None = None,
) -> tuple[tuple[str, ...], str] | str:
    """One enterprise's group with fallbacks: ``(ids in rank order, fallback)`` or a failure name.

    Speed only: ``ranked`` may be just the in-scope part of the ranking (``ranking`` over
    :func:`in_scope_pool`) when ``full`` returns the whole ranking, which only fallback ``all``
    needs; step 2 filters by scope first, so the result is the same and the tickets of the
    inspectors outside the scope are computed only when ``all`` is reached.

    Each attempt is :func:`attempt` (the same result as :func:`eligible` then
    :func:`swap_for_expertise`, reading only as much of the ranking as it needs);
    :func:`form_group_reference` is the definition, ``tests/test_groups_fast.py`` compares them.
    """
    failure = "scope"
    for fallback in FALLBACKS:
        if fallback == "all" and full is not None:
            ranked = full()
        got = attempt(ranked, code, unit, loads, rules, fallback)
        if isinstance(got, str):
            failure = got
            continue
        return got, fallback
    return failure


def form_group_reference(
    ranked: Sequence[Inspector], code: str, unit: str, loads: Mapping[str, int], rules: Rules,
    full: Callable[[], Sequence[Inspector]] | None = None,
) -> tuple[tuple[str, ...], str] | str:
    """:func:`form_group` written as §6.6 reads: :func:`eligible`, then :func:`swap_for_expertise`."""
    failure = "scope"
    for fallback in FALLBACKS:
        if fallback == "all" and full is not None:
            ranked = full()
        cands = eligible(ranked, code, unit, loads, rules, fallback)
        if isinstance(cands, str):
            failure = cands
            continue
        group = swap_for_expertise(cands[: rules.group_size], cands, rules.expertise)
        if group is None:
            failure = "expertise"
            continue
        return tuple(m.id for m in group), fallback
    return failure


def _scope_units(unit: str, scope: Mapping, widened: bool) -> frozenset[str] | None:
    """The inspector units :func:`in_scope` allows for an enterprise of ``unit`` (None: all)."""
    kind = "all" if widened else scope["kind"]
    if kind == "all":
        return None
    if kind == "own":
        return frozenset((unit,))
    if kind == "units":
        return frozenset(scope["units"])
    return frozenset(scope["hq"]) | {unit}  # hq+own


def attempt(
    ranked: Sequence[Inspector], code: str, unit: str, loads: Mapping[str, int], rules: Rules,
    fallback: str,
) -> tuple[str, ...] | str:
    """One attempt of §6.6 steps 2–5 under ``fallback``: the group's ids in rank order, or the
    failure name. Speed only — equal to :func:`eligible` then :func:`swap_for_expertise`:

    - the candidates are filtered lazily, in rank order, with the three filters inlined; once g
      pass all three, every filter kept at least g, so no filter fails and the rest of the
      ranking is read only when a required tag asks for its first holder;
    - fewer than g in the whole ranking → the first filter that kept fewer than g, as in
      :func:`eligible` (the counts are then over the whole ranking);
    - a candidate's rank is its position among the eligible, as in :func:`swap_for_expertise`.
    """
    g = rules.group_size
    allowed = _scope_units(unit, rules.scope, fallback == "all")
    formula = rules.cap if fallback == "-" else UNLIMITED
    get = loads.get
    cands: list[Inspector] = []  # the eligible candidates read so far, in rank order
    it = iter(ranked)
    n_scope = n_recusal = 0

    def more() -> bool:
        """Read the ranking up to the next eligible candidate; False at its end."""
        nonlocal n_scope, n_recusal
        for i in it:
            if allowed is not None and i.unit not in allowed:
                continue
            n_scope += 1
            if code in i.recusals:
                continue
            n_recusal += 1
            own = i.cap
            if get(i.id, 0) < (own if 0 < own < formula else formula):
                cands.append(i)
                return True
        return False

    while len(cands) < g:
        if not more():
            return "scope" if n_scope < g else "recusal" if n_recusal < g else "load"
    group = list(range(g))  # positions in cands
    tags = rules.expertise
    for tag in tags:
        if any(tag in cands[n].expertise for n in group):
            continue
        taken = set(group)
        new = next((n for n in range(len(cands)) if n not in taken and tag in cands[n].expertise), None)
        while new is None:
            if not more():
                return "expertise"
            if tag in cands[-1].expertise:
                new = len(cands) - 1
        pinned = set()  # a covered tag depends on its only holder
        for t in tags:
            holders = [n for n in group if t in cands[n].expertise]
            if len(holders) == 1:
                pinned.add(holders[0])
        free = [n for n in group if n not in pinned]
        if not free:
            return "expertise"
        group.remove(max(free))  # the lowest-ranked replaceable member
        group.append(new)
    group.sort()
    return tuple(cands[n].id for n in group)


def pick_experts(
    tickets: Tickets, code: str, experts: Sequence[Expert], spec: Mapping
) -> tuple[str, ...] | None:
    """§6.7: experts with every listed tag, not recused, by ``(ticket(e/expert/id), id)``; first count."""
    count = spec["count"]
    if count == 0:
        return ()
    need = frozenset(spec.get("expertise", ()))
    ok = [x for x in experts if need <= x.expertise and code not in x.recusals]
    if len(ok) < count:
        return None
    ok.sort(key=lambda x: (tickets.expert(code, x.id), x.id.encode()))
    return tuple(x.id for x in ok[:count])
