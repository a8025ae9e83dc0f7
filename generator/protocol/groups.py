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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

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
    """
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
