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
from collections import deque
from collections.abc import Callable, Collection, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from math import isqrt

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


INFINITE = b"\xff" * 33  # a bound above every ticket (bytes order: a 33-byte string of 0xff)
_BATCH = 1 << 10  # tickets per batch of candidates() (small: its objects stay in the caches)


def bounds_for(ks: Sequence[int], ns: Sequence[int]) -> list[bytes]:
    """Per stratum (``k`` to select of ``n`` members) a ticket bound that about ``k + 8√k + 64``
    of ``n`` uniform tickets fall below, so that fewer than ``k`` fall below it only with
    negligible probability. Speed only: :func:`select_records` is exact whatever the bounds."""
    out = []
    for k, n in zip(ks, ns, strict=True):
        m = k + 8 * isqrt(k) + 64
        if k <= 0:
            out.append(b"")  # no ticket is below the empty string
        elif m >= n:
            out.append(INFINITE)
        else:
            out.append(((m << 256) // n + 1).to_bytes(32, "big"))
    return out


def candidates(
    records: bytes, stratum: Sequence[int], lo: int, hi: int, bounds: Sequence[bytes],
    skip: Container[int], prk: bytes, width: int,
) -> list[tuple[int, bytes]]:
    """``(i, ticket)`` for the members ``lo ≤ i < hi`` of a scanned population (see
    :func:`select_records`) not in ``skip`` whose ticket is below ``bounds[stratum[i]]``.

    Speed only: each ticket is ``HMAC(PRK, record)`` (§6.2 with L = 32: the record is the code
    then 0x01) from pre-keyed SHA-256 states, computed a batch at a time by C-level ``map``
    over hash objects, and compared with its bound without a Python-level step per member."""
    inner, outer = hmac_states(prk)
    cls = type(inner)
    copy, update, digest = cls.copy, cls.update, cls.digest
    bound_of, below = bounds.__getitem__, bytes.__lt__
    out: list[tuple[int, bytes]] = []
    for a in range(lo, hi, _BATCH):
        b = min(hi, a + _BATCH)
        n = b - a
        chunk = bytes(records[width * a:width * b])
        inner_h = list(map(copy, repeat(inner, n)))
        parts = chunk.split(b"\x01")
        if len(parts) == n + 1 and chunk[width - 1::width] == b"\x01" * n:  # code ‖ 0x01 each
            deque(map(update, inner_h, parts), 0)
            deque(map(update, inner_h, repeat(b"\x01", n)), 0)
        else:
            deque(map(update, inner_h, map(chunk.__getitem__, map(slice, range(0, width * n, width),
                                                                  range(width, width * n + width, width)))), 0)
        del parts
        outer_h = list(map(copy, repeat(outer, n)))
        deque(map(update, outer_h, map(digest, inner_h)), 0)
        del inner_h
        tickets = list(map(digest, outer_h))
        del outer_h
        for i in compress(range(a, b), map(below, tickets, map(bound_of, stratum[a:b]))):
            if i not in skip:
                out.append((i, tickets[i - a]))
    return out


def select_records(
    selector: StreamingSelector, labels: Sequence[str], records: bytes, stratum: Sequence[int],
    skip: Collection[int], prk: bytes, width: int,
    find: Callable[[list[bytes]], Iterable[tuple[int, bytes]]] | None = None,
) -> dict[str, int]:
    """Feed ``selector`` the members of a scanned population (see :class:`.scan.Population`):
    member ``i`` has stratum ``labels[stratum[i]]`` and ``records[width·i : width·(i+1)]`` =
    its code in ASCII then ``0x01``; members in ``skip`` (excluded) are left
    out. Returns ``{code: i}`` of the members fed.

    Same result as :meth:`StreamingSelector.add` per member (speed only): only the members
    whose ticket is below a bound per stratum (:func:`bounds_for`, :func:`candidates`) are
    fed, the ``k`` smallest ``(ticket, code)`` of each stratum. When at least ``k`` members of a
    stratum are below its bound, its ``k`` smallest are among them; otherwise (improbable) that
    stratum is searched again without a bound. ``find(bounds)`` returns the candidates of
    every member (default: :func:`candidates` in this process; the parallel draw spreads them
    over processes).
    """
    ks = [selector.k[label] for label in labels]
    ns = [stratum.count(j) for j in range(len(labels))]
    for i in skip:
        ns[stratum[i]] -= 1
    if find is None:
        def find(bounds: list[bytes]) -> Iterable[tuple[int, bytes]]:
            return candidates(records, stratum, 0, len(stratum), bounds, skip, prk, width)

    bounds = bounds_for(ks, ns)
    per: list[list[tuple[int, bytes]]] = [[] for _ in labels]
    for i, t in find(bounds):
        per[stratum[i]].append((i, t))
    short = [j for j, items in enumerate(per) if len(items) < ks[j] and bounds[j] != INFINITE]
    if short:
        for j in short:
            per[j] = []
        for i, t in find([INFINITE if j in short else b"" for j in range(len(labels))]):
            per[stratum[i]].append((i, t))
    fed: dict[str, int] = {}
    for j, items in enumerate(per):
        items.sort(key=lambda it: (it[1], bytes(records[width * it[0]:width * it[0] + width - 1])))
        for i, t in items[:ks[j]]:
            code = bytes(records[width * i:width * i + width - 1]).decode("ascii")
            selector.add(code, labels[j], t)
            fed[code] = i
    return fed


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
