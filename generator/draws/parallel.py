"""The draw of PROTOCOL §6 on all cores, byte for byte equal to ``protocol.engine.draw``.

``directory.csv`` is split at line boundaries into chunks; a pool of worker processes (forked,
so they share the bytes copy-on-write) runs the protocol's own functions over each chunk:

1. pass 1 — ``canonical.iter_rows`` (every byte checked) and ``params.assign_strata``: N per
   stratum after exclusions, then ``k_s`` by ``selection.k_of``;
2. pass 2 — over the rows pass 1 checked (split only) — ``tickets.Tickets`` per population member and a bounded heap of the ``k_s``
   smallest ``(ticket, code)`` per stratum per chunk; the parent merges the chunks' heaps
   through ``selection.StreamingSelector`` (memory O(chunks × selection), not O(directory));
3. the in-scope ranking of inspectors and the experts of every selected enterprise (pure per
   enterprise) in the workers; group formation (sequential: loads) in the parent with
   ``groups.form_group``.

Anything unusual — a non-canonical chunk, a row out of order across chunks, an error in a
worker — falls back to ``engine.draw``, so errors and their messages are exactly the engine's.
``tests/test_parallel_draw.py`` checks listing, cut-offs and selection hash against the engine.
"""

from __future__ import annotations

import heapq
import multiprocessing
import os
from array import array
from collections.abc import Mapping, Sequence

from ..protocol import engine
from ..protocol.canonical import header, iter_rows, parse_csv
from ..protocol.derive import StratumCount, excluded_codes, risk_map
from ..protocol.engine import DrawOutcome
from ..protocol.errors import ProtocolError
from ..protocol.groups import (
    Ranker,
    Rules,
    experts_from_rows,
    form_group,
    in_scope_pool,
    inspectors_from_rows,
    pick_experts,
)
from ..protocol.listing import Line
from ..protocol.params import assign_strata, validate_params
from ..protocol.selection import KeyedTickets, StreamingSelector, k_of
from ..protocol.tickets import Tickets

MIN_PARALLEL_ROWS = 50_000  # below this the pool costs more than it saves
CHUNKS_PER_WORKER = 2

# Set in the parent before the pool forks; read by the workers (copy-on-write, never pickled).
_JOB: dict = {}


class _Fallback(Exception):
    """The parallel path declines; the engine runs instead (same result or same error)."""


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def line_chunks(data: bytes, start: int, parts: int) -> list[tuple[int, int]]:
    """``[start, len(data))`` cut into about ``parts`` pieces, each ending just after an LF."""
    size = len(data) - start
    bounds, pos = [], start
    for i in range(1, parts):
        cut = start + size * i // parts
        if cut <= pos:
            continue
        nl = data.find(b"\n", cut - 1)
        if nl < 0 or nl + 1 >= len(data):
            break
        bounds.append((pos, nl + 1))
        pos = nl + 1
    if pos < len(data):
        bounds.append((pos, len(data)))
    return bounds


def _rows(span: tuple[int, int]):
    data = _JOB["data"]
    return iter_rows("directory.csv", _JOB["head"] + data[span[0]:span[1]])


def _members(span: tuple[int, int]):
    return assign_strata(_JOB["params"], _rows(span), _JOB["risk"])


def _checked_rows(span: tuple[int, int]):
    """Rows of a chunk pass 1 has already checked with ``iter_rows``: every ``directory.csv``
    column is code, text or date, whose typed value is the field's text, so a plain split
    yields the same tuples without checking every byte a second time."""
    data, pos, stop = _JOB["data"], span[0], span[1]
    index = data.index
    while pos < stop:
        end = index(b"\n", pos)
        yield tuple(data[pos:end].decode("utf-8").split(","))
        pos = end + 1


def _first_last(span: tuple[int, int]) -> tuple[str, str]:
    data = _JOB["data"]
    first = data[span[0]:data.index(b",", span[0])].decode("utf-8", "replace")
    last_start = data.rfind(b"\n", span[0], span[1] - 1) + 1
    last = data[max(last_start, span[0]):data.index(b",", max(last_start, span[0]))].decode("utf-8", "replace")
    return first, last


def _count(span: tuple[int, int]) -> tuple[dict[str, int], dict[str, int]] | str:
    """Pass 1 over one chunk: members per stratum before and after exclusions."""
    excluded = _JOB["excluded"]
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    try:
        for code, label, _unit in _members(span):
            before[label] = before.get(label, 0) + 1
            if code not in excluded:
                after[label] = after.get(label, 0) + 1
    except ProtocolError as exc:
        return str(exc)
    return before, after


def _select(task: tuple[dict[str, int], tuple[int, int]]) -> list[tuple[str, list[tuple[int, str, bytes, str]]]] | str:
    """Pass 2 over one chunk: per stratum the k smallest (ticket, code), with each one's unit."""
    k, span = task
    excluded, tickets = _JOB["excluded"], _JOB["tickets"]
    heaps: dict[str, list[tuple[int, str, bytes, str]]] = {label: [] for label in k}
    label_ticket = KeyedTickets(tickets).label  # the same tickets, faster (speed only)
    try:
        for code, label, unit in assign_strata(_JOB["params"], _checked_rows(span), _JOB["risk"]):
            kk = k[label]
            if kk == 0 or code in excluded:
                continue
            t = label_ticket(code)
            # the order key of selection.StreamingSelector, negated for a max-heap
            item = (-((int.from_bytes(t, "big") << 144) | int.from_bytes(code.encode("ascii"), "big")), code, t, unit)
            heap = heaps[label]
            if len(heap) < kk:
                heapq.heappush(heap, item)
            elif item[0] > heap[0][0]:
                heapq.heapreplace(heap, item)
    except ProtocolError as exc:
        return str(exc)
    return list(heaps.items())


def _prepare(task: tuple[Rules, list[tuple[str, str]]]) -> list[tuple[array, tuple[str, ...] | None]]:
    """Per selected enterprise (code, unit): its in-scope ranking (indices) and its experts."""
    rules, batch = task
    tickets, inspectors, experts, spec = _JOB["tickets"], _JOB["inspectors"], _JOB["experts"], _JOB["experts_spec"]
    keyed = KeyedTickets(tickets)  # the same tickets, faster (speed only)
    ranker = Ranker(tickets.prk)
    index = {id(i): n for n, i in enumerate(inspectors)}
    pools: dict[str, list] = {}
    out = []
    for code, unit in batch:
        if unit not in pools:
            pools[unit] = in_scope_pool(inspectors, unit, rules)
        ranked = ranker.rank(code, pools[unit])
        out.append((array("I", [index[id(i)] for i in ranked]), pick_experts(keyed, code, experts, spec)))
    return out


def prepare(
    pool, rules: Rules, todo: list[tuple[str, str]], workers: int,
) -> list[tuple[array, tuple[str, ...] | None]]:
    """:func:`_prepare` over every selected ``(code, unit)`` on ``pool`` (``_JOB`` holds
    ``tickets``, ``inspectors``, ``experts``, ``experts_spec``), in the order of ``todo``."""
    size = max(1, -(-len(todo) // (workers * 4)))
    batches = [(rules, todo[i:i + size]) for i in range(0, len(todo), size)]
    return [item for batch in pool.map(_prepare, batches, chunksize=1) for item in batch]


def form_groups(
    selected, units: Mapping[str, str], prepared, inspectors, rules: Rules, ranker: Ranker,
) -> tuple[list[Line], str | None]:
    """§6.6 in the parent (sequential: loads) over the workers' rankings; the listing lines and
    the failure name, as ``engine.draw`` makes them."""
    loads: dict[str, int] = {}
    lines: list[Line] = []
    failure: str | None = None
    for s, (ranked_idx, picked) in zip(selected, prepared, strict=True):  # §6.6: ascending (ticket, code)
        blank = Line(s.code, s.stratum, s.ticket.hex(), (), (), "-")
        if failure is not None:
            lines.append(blank)
            continue
        ranked = [inspectors[n] for n in ranked_idx]
        group = form_group(
            ranked, s.code, units[s.code], loads, rules,
            full=lambda c=s.code: ranker.rank(c, inspectors),
        )
        failure = engine.record_group(s, group, picked, loads, lines)
    return lines, failure


def draw(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], workers: int | None = None, min_rows: int = MIN_PARALLEL_ROWS,
) -> DrawOutcome:
    """``engine.draw`` on ``workers`` processes (default: all cores); same outcome, byte for byte.

    Directories under ``min_rows`` rows, and anything the parallel path declines, go to the
    engine itself.
    """
    data = files.get("directory.csv", b"")
    workers = workers or default_workers()
    if workers < 2 or data.count(b"\n") - 1 < min_rows:
        return engine.draw(params, files, exclusions, code, numbers)
    try:
        return _draw(params, files, exclusions, code, numbers, workers)
    except (_Fallback, ProtocolError, KeyError, ValueError, TypeError):
        _JOB.clear()
        return engine.draw(params, files, exclusions, code, numbers)


def _draw(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], workers: int,
) -> DrawOutcome:
    if validate_params(params):
        raise _Fallback
    if len(numbers) != len(params["sources"]):
        raise _Fallback
    canon, key = engine.key_of(params["sources"], numbers)
    tickets = Tickets(code, key)
    data = files["directory.csv"]
    head = header("directory.csv")
    if not data.startswith(head) or not data.endswith(b"\n") or len(data) == len(head):
        raise _Fallback
    spans = line_chunks(data, len(head), workers * CHUNKS_PER_WORKER)
    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    experts = experts_from_rows(parse_csv("experts.csv", files["experts.csv"]))
    excluded = excluded_codes(exclusions)
    _JOB.clear()
    _JOB.update(
        data=data, head=head, params=params, excluded=excluded, tickets=tickets,
        risk=risk_map(files) if params["mode"] == "audit" else None,
        inspectors=inspectors, experts=experts, experts_spec=params["experts"],
    )
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        # rows in order across chunk boundaries (inside a chunk iter_rows checks it)
        edges = [_first_last(s) for s in spans]
        for (_, last), (first, _) in zip(edges, edges[1:], strict=False):
            if not last.encode() < first.encode():
                raise _Fallback
        counted = pool.map(_count, spans, chunksize=1)
        if any(isinstance(c, str) for c in counted):
            raise _Fallback
        labels = [s["label"] for s in params["strata"]]
        before = {label: sum(c[0].get(label, 0) for c in counted) for label in labels}
        after = {label: sum(c[1].get(label, 0) for c in counted) for label in labels}
        counts = [
            StratumCount(s["label"], before[s["label"]], after[s["label"]], k_of(s, after[s["label"]]))
            for s in params["strata"]
        ]
        k = {c.label: c.k for c in counts}
        selector = StreamingSelector(k)
        units: dict[str, str] = {}
        for part in pool.imap_unordered(_select, [(k, span) for span in spans]):
            if isinstance(part, str):
                raise _Fallback
            for label, heap in part:
                for _neg, c, t, unit in heap:
                    selector.add(c, label, t)
                    units[c] = unit
        selected, cutoffs = selector.result()
        units = {s.code: units[s.code] for s in selected}
        rules = Rules.make(params, len(selected), sum(1 for i in inspectors if i.qualified))
        todo = [(s.code, units[s.code]) for s in selected]
        prepared = prepare(pool, rules, todo, workers)
    _JOB.clear()

    lines, failure = form_groups(selected, units, prepared, inspectors, rules, Ranker(tickets.prk))
    return engine.outcome(key, canon, lines, failure, counts, cutoffs, selected)
