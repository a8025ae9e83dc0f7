"""Selection per stratum (PROTOCOL §6.4, §6.5): consistent sampling, streamed.

``k_s = min(N_s, (p·N_s + q − 1) // q)`` for a ratio p/q (exact ⌈ratio·N⌉), or the count capped
at ``N_s``. The selection of a stratum is its ``k_s`` members with the smallest
``(ticket, code bytes)``; its cut-off is the ticket of the last one (``None`` when k = 0).
A member is selected ⇔ it is in the stratum, not excluded, and its ticket ≤ the cut-off.

:class:`StreamingSelector` keeps one bounded heap per stratum, so memory is O(selection), not
O(directory).
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

from .params import ratio_fraction
from .tickets import TicketLabels


def k_of(stratum: Mapping, n: int) -> int:
    """§6.4: the number to select from a stratum of ``n`` members (after exclusions)."""
    if "ratio" in stratum:
        p, q = ratio_fraction(stratum["ratio"])
        return min(n, (p * n + q - 1) // q)  # ⌈p·N/q⌉ in integers, capped at N
    return min(n, stratum["count"])


def _order_key(ticket: bytes, code: str) -> int:
    # (ticket, code bytes) as one integer: codes are 18 ASCII bytes, so widths are fixed.
    return (int.from_bytes(ticket, "big") << 144) | int.from_bytes(code.encode("ascii"), "big")


@dataclass(frozen=True)
class Selected:
    code: str
    stratum: str
    ticket: bytes


class StreamingSelector:
    """Feed ``(code, stratum, ticket)`` once per member; keep the k smallest per stratum."""

    def __init__(self, k: Mapping[str, int]) -> None:
        self.k = dict(k)
        self._heaps: dict[str, list[tuple[int, str, bytes]]] = {label: [] for label in k}

    def add(self, code: str, stratum: str, ticket: bytes) -> None:
        k, heap = self.k[stratum], self._heaps[stratum]
        if k == 0:
            return
        item = (-_order_key(ticket, code), code, ticket)  # max-heap by negation
        if len(heap) < k:
            heapq.heappush(heap, item)
        elif item[0] > heap[0][0]:  # smaller than the largest kept
            heapq.heapreplace(heap, item)

    def result(self) -> tuple[list[Selected], dict[str, bytes | None]]:
        """All selected members in ascending ``(ticket, code)``, and each stratum's cut-off."""
        selected: list[Selected] = []
        cutoffs: dict[str, bytes | None] = {}
        for label, heap in self._heaps.items():
            members = sorted(heap, key=lambda it: -it[0])
            cutoffs[label] = members[-1][2] if members else None
            selected.extend(Selected(code, label, t) for _, code, t in members)
        selected.sort(key=lambda s: _order_key(s.ticket, s.code))
        return selected, cutoffs


def hmac_states(prk: bytes) -> tuple:
    """RFC 2104 HMAC-SHA-256 under ``prk`` split into its keyed inner and outer SHA-256 states."""
    key = prk.ljust(64, b"\0") if len(prk) <= 64 else hashlib.sha256(prk).digest().ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner, outer


class KeyedTickets(TicketLabels):
    """The tickets of :class:`.tickets.Tickets` (same methods, same bytes; speed only): each
    ``HMAC(PRK, label ‖ 0x01)`` from pre-keyed inner and outer SHA-256 states."""

    def __init__(self, tickets) -> None:
        self.prk = tickets.prk
        self._inner, self._outer = hmac_states(self.prk)

    def label(self, label: str) -> bytes:
        h = self._inner.copy()
        h.update(label.encode("utf-8") + b"\x01")
        o = self._outer.copy()
        o.update(h.digest())
        return o.digest()


def rank_inspectors(tickets: KeyedTickets, code: str, inspectors: Sequence) -> list:
    """:func:`.groups.ranking` (speed only): qualified inspectors by ``(ticket(e/id), id bytes)``."""
    label, prefix = tickets.label, code + "/"
    keyed = [(label(prefix + i.id), i.id.encode(), n) for n, i in enumerate(inspectors) if i.qualified]
    keyed.sort()  # ids are unique, so the index never decides
    return [inspectors[n] for _, _, n in keyed]


def select_records(
    selector: StreamingSelector, labels: Sequence[str], records: bytes, stratum: Sequence[int],
    skip: Container[int], prk: bytes, width: int,
) -> None:
    """Feed ``selector`` the members of a scanned population (see :class:`.scan.Population`):
    member ``i`` has stratum ``labels[stratum[i]]`` and ``records[width·i : width·(i+1)]`` =
    its code in ASCII then ``0x01``; members in ``skip`` (excluded) are left out.

    Same heaps as :meth:`StreamingSelector.add` per member (speed only): the ticket is
    ``HMAC(PRK, code ‖ 0x01)`` (§6.2 with L = 32) from pre-keyed SHA-256 states, and a member
    whose ticket is above the largest ticket kept in a full heap is dropped at once (it cannot
    be among the k smallest ``(ticket, code)``; a tie on the ticket goes the full way).
    """
    inner, outer = hmac_states(prk)
    ks = [selector.k[label] for label in labels]
    heaps = [selector._heaps[label] for label in labels]
    worst = [h[0][2] if h and len(h) >= k else None for h, k in zip(heaps, ks, strict=True)]
    push, replace = heapq.heappush, heapq.heapreplace
    frombytes = int.from_bytes
    for i, s in enumerate(stratum):
        k = ks[s]
        if k == 0 or i in skip:
            continue
        start = width * i
        rec = records[start:start + width]
        h = inner.copy()
        h.update(rec)
        o = outer.copy()
        o.update(h.digest())
        t = o.digest()
        w = worst[s]
        if w is not None and t > w:
            continue
        heap = heaps[s]
        item = (-((frombytes(t, "big") << 144) | frombytes(rec[:-1], "big")), rec[:-1].decode("ascii"), t)
        if len(heap) < k:
            push(heap, item)
            if len(heap) == k:
                worst[s] = heap[0][2]
        elif item[0] > heap[0][0]:
            replace(heap, item)
            worst[s] = heap[0][2]


def select_naive(
    members: Iterable[tuple[str, str, bytes]], k: Mapping[str, int]
) -> list[Selected]:
    """Reference implementation by full sort (tests compare it with the streaming one)."""
    by: dict[str, list[tuple[bytes, bytes, str]]] = {label: [] for label in k}
    for code, label, t in members:
        by[label].append((t, code.encode(), code))
    out = []
    for label, items in by.items():
        items.sort()
        out.extend(Selected(code, label, t) for t, _, code in items[: k[label]])
    out.sort(key=lambda s: (s.ticket, s.code.encode()))
    return out


def self_check(ticket: bytes, in_stratum: bool, excluded: bool, cutoff: bytes | None) -> bool:
    """§6.5 self-check rule: selected ⇔ in the stratum, not excluded, and ticket ≤ cut-off."""
    return in_stratum and not excluded and cutoff is not None and ticket <= cutoff
