"""The draw of PROTOCOL §6 on all cores, byte for byte equal to ``protocol.engine.draw``.

Worker processes are forked, so they read the parent's bytes copy-on-write (``_JOB``, never
pickled), and run the protocol's own functions. ``draw`` makes one pass of the workers over
``directory.csv`` cut at line boundaries into spans (:func:`_fused`): each span is checked and
scanned by :func:`.protocol.scan.scan_lines` (the fast path of ``scan_directory``) and its
members' tickets are computed at once, keeping those below a bound from the span's own counts
(:func:`.protocol.selection.candidates`); the parent checks the order across spans, adds up
``N_s``/``k_s`` and selects exactly from the candidates below the smallest bound of each
stratum. Then the in-scope ranking of inspectors and the experts of every selected enterprise
(pure per enterprise) run in the same workers, and group formation (sequential: loads) in the
parent with ``groups.form_group``, as the rankings arrive.

When a stratum has too few candidates (improbable), the steps run apart: :func:`scan` (spans
scanned, then merged by :func:`.protocol.scan.merge`) and :func:`run` (the engine's steps after
its scan, tickets spread over the workers through the ``find`` hook of ``select_records``);
``parallel_verify`` uses these two, since verification needs the whole scan.

Anything unusual — a chunk the fast path declines, a row out of order across spans, an error in
a worker — falls back to ``engine.draw``, so errors and their messages are exactly the engine's.
``tests/test_parallel_draw.py`` checks listing, cut-offs and selection hash against the engine.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from collections.abc import Iterator, Mapping, Sequence

from ..protocol import engine
from ..protocol.canonical import header, parse_csv
from ..protocol.derive import StratumCount, excluded_codes
from ..protocol.engine import DrawOutcome
from ..protocol.errors import ProtocolError
from ..protocol.groups import (
    Ranker,
    Rules,
    experts_from_rows,
    in_scope_pool,
    inspectors_from_rows,
    pick_experts,
)
from ..protocol.params import validate_params
from ..protocol.scan import (
    RECORD,
    Population,
    apply_exclusions,
    merge,
    risk_of,
    scan_lines,
    stratum_counts,
)
from ..protocol.selection import (
    INFINITE,
    KeyedTickets,
    StreamingSelector,
    bounds_for,
    candidates,
    k_of,
    select_records,
)
from ..protocol.tickets import Tickets

MIN_PARALLEL_ROWS = 50_000  # below this the pool costs more than it saves
CHUNKS_PER_WORKER = 4  # spans of rows (scan) and ranges of members (tickets) per worker
BATCHES_PER_WORKER = 16  # batches of selected enterprises per worker (rankings, experts)

# Set in the parent before a pool forks; read by the workers (copy-on-write, never pickled).
_JOB: dict = {}


class _Fallback(Exception):
    """The parallel path declines; the engine runs instead (same result or same error)."""


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _pool(workers: int):
    return multiprocessing.get_context("fork").Pool(workers)


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


# --------------------------------------------------------------------------- scan


def _scan_part(span: tuple[int, int]) -> tuple[Population, bytes, bytes] | None:
    return scan_lines(_JOB["params"], _JOB["data"], span[0], span[1], _JOB["risk"])


def scan(params: Mapping, data: bytes, risk: Mapping[str, str] | None, workers: int) -> Population | None:
    """:func:`.protocol.scan.scan_directory` on ``workers`` processes: the same population, or
    ``None`` when the fast path declines somewhere (the caller then scans in one process, which
    gives the exact error or the same record)."""
    head = header("directory.csv")
    if not data.startswith(head) or not data.endswith(b"\n") or len(data) == len(head):
        return None
    spans = line_chunks(data, len(head), workers * CHUNKS_PER_WORKER)
    _JOB.clear()
    _JOB.update(data=data, params=params, risk=risk or {})
    try:
        with _pool(min(workers, len(spans))) as pool:
            parts = pool.map(_scan_part, spans, chunksize=1)
    finally:
        _JOB.clear()
    if any(part is None for part in parts):
        return None
    for (_, _, last), (_, first, _) in zip(parts, parts[1:], strict=False):
        if not last < first:  # rows in order across spans (inside a span scan_lines checks it)
            return None
    return merge([s["label"] for s in params["strata"]], [part[0] for part in parts])


# --------------------------------------------------------------------------- draw


def _candidates(task: tuple[int, int, list[bytes]]) -> list[tuple[int, bytes]]:
    lo, hi, bounds = task
    pop: Population = _JOB["population"]
    return candidates(pop.records, pop.stratum, lo, hi, bounds, _JOB["skip"], _JOB["prk"], RECORD)


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
    pool, rules: Rules, todo: list[tuple[str, str]], workers: int, inspectors: list,
) -> Iterator[tuple[list, tuple[str, ...] | None]]:
    """:func:`_prepare` over every selected ``(code, unit)`` on ``pool`` (``_JOB`` holds
    ``tickets``, ``inspectors``, ``experts``, ``experts_spec``), in the order of ``todo``: the
    rankings (as inspectors) and experts ``engine.form_groups`` takes; an iterator, so that the
    groups are formed while later batches are still being prepared."""
    size = max(1, -(-len(todo) // (workers * BATCHES_PER_WORKER)))
    batches = [(rules, todo[i:i + size]) for i in range(0, len(todo), size)]
    for batch in pool.imap(_prepare, batches, chunksize=1):
        for ranked_idx, picked in batch:
            yield [inspectors[n] for n in ranked_idx], picked


def run(
    params: Mapping, files: Mapping[str, bytes], excluded: set[str], tickets: Tickets, key: str,
    canon: list[list[str]], population: Population, workers: int,
) -> DrawOutcome:
    """``engine.draw`` after its scan (same functions, same order) on ``workers`` processes."""
    ex = apply_exclusions(population, excluded)
    counts = stratum_counts(params, population, ex)  # N_s and k_s
    selector = StreamingSelector({c.label: c.k for c in counts})
    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    experts = experts_from_rows(parse_csv("experts.csv", files["experts.csv"]))
    size = len(population)
    step = max(1, -(-size // (workers * CHUNKS_PER_WORKER)))
    ranges = [(lo, min(size, lo + step)) for lo in range(0, size, step)]
    _JOB.clear()
    _JOB.update(
        population=population, skip=ex.members, prk=tickets.prk, tickets=tickets,
        inspectors=inspectors, experts=experts, experts_spec=params["experts"],
    )
    try:
        with _pool(workers) as pool:
            def find(bounds: list[bytes]) -> list[tuple[int, bytes]]:
                parts = pool.map(_candidates, [(lo, hi, bounds) for lo, hi in ranges], chunksize=1)
                return [item for part in parts for item in part]

            fed = select_records(
                selector, population.labels, population.records, population.stratum, ex.members,
                tickets.prk, RECORD, find=find,
            )
            selected, cutoffs = selector.result()
            units = {s.code: population.unit_of(fed[s.code]) for s in selected}
            rules = Rules.make(params, len(selected), sum(1 for i in inspectors if i.qualified))
            prepared = prepare(pool, rules, [(s.code, units[s.code]) for s in selected], workers,
                               inspectors)
            lines, failure = engine.form_groups(selected, units, prepared, inspectors, rules,
                                                Ranker(tickets.prk))
    finally:
        _JOB.clear()
    return engine.outcome(key, canon, lines, failure, counts, cutoffs, selected)


def _scan_select(span: tuple[int, int]) -> tuple | None:
    """One span: its scan and, under bounds from its own counts, its ticket candidates
    ``(ticket, code, stratum index, unit)``; ``None`` when the fast path declines."""
    params = _JOB["params"]
    got = scan_lines(params, _JOB["data"], span[0], span[1], _JOB["risk"])
    if got is None:
        return None
    pop, first, last = got
    ex = apply_exclusions(pop, _JOB["excluded"])
    local = [k_of(spec, n) for spec, n in zip(params["strata"], ex.n_after, strict=True)]
    # a span without members of a stratum has all of them below any bound: it bounds nothing
    bounds = [b if n else INFINITE for b, n in zip(bounds_for(local, ex.n_after), ex.n_after, strict=True)]
    found = candidates(pop.records, pop.stratum, 0, len(pop), bounds, ex.members, _JOB["prk"], RECORD)
    return pop.n_before, ex.n_after, first, last, bounds, [
        (t, pop.code(i), pop.stratum[i], pop.unit_of(i)) for i, t in found
    ]


def _fused(
    pool, params: Mapping, spans: list[tuple[int, int]],
) -> tuple[list[StratumCount], StreamingSelector, dict[str, str]] | None:
    """Scan and ticket candidates in one pass of the workers; the exact selection from the
    candidates, or ``None`` when a span declines, the rows are out of order across spans, or a
    stratum has fewer than ``k`` candidates below the smallest of the spans' bounds (then the
    scan and the selection run apart: :func:`scan`, :func:`run`).

    Each span keeps every member whose ticket is below its own bound; below the smallest bound
    of a stratum, the candidates of all spans are therefore every member of the stratum, so when
    at least ``k`` of them are there, the ``k`` smallest ``(ticket, code)`` are among them."""
    parts = pool.map(_scan_select, spans, chunksize=1)
    if any(part is None for part in parts):
        return None
    for (_, _, _, last, _, _), (_, _, first, _, _, _) in zip(parts, parts[1:], strict=False):
        if not last < first:  # rows in order across spans (inside a span scan_lines checks it)
            return None
    strata = params["strata"]
    counts = []
    for j, spec in enumerate(strata):
        n_before = sum(part[0][j] for part in parts)
        n = sum(part[1][j] for part in parts)
        counts.append(StratumCount(spec["label"], n_before, n, k_of(spec, n)))
    bound = [min(part[4][j] for part in parts) for j in range(len(strata))]
    per: list[list[tuple[bytes, str, str]]] = [[] for _ in strata]
    for part in parts:
        for t, code, j, unit in part[5]:
            if t < bound[j]:
                per[j].append((t, code, unit))
    selector = StreamingSelector({c.label: c.k for c in counts})
    units: dict[str, str] = {}
    for c, items in zip(counts, per, strict=True):
        if len(items) < c.k:
            return None
        items.sort(key=lambda it: (it[0], it[1].encode("ascii")))
        for t, code, unit in items[:c.k]:
            selector.add(code, c.label, t)
            units[code] = unit
    return counts, selector, units


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
    canon, key = engine.key_of(params["sources"], numbers)
    tickets = Tickets(code, key)
    excluded = excluded_codes(exclusions)
    risk = risk_of(params, files)
    data = files["directory.csv"]
    head = header("directory.csv")
    if not data.startswith(head) or not data.endswith(b"\n") or len(data) == len(head):
        raise _Fallback
    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    experts = experts_from_rows(parse_csv("experts.csv", files["experts.csv"]))
    spans = line_chunks(data, len(head), workers * CHUNKS_PER_WORKER)
    _JOB.clear()
    _JOB.update(
        data=data, params=params, risk=risk or {}, excluded=excluded, prk=tickets.prk, tickets=tickets,
        inspectors=inspectors, experts=experts, experts_spec=params["experts"],
    )
    try:
        with _pool(workers) as pool:
            fused = _fused(pool, params, spans)
            if fused is not None:
                counts, selector, units = fused
                selected, cutoffs = selector.result()
                rules = Rules.make(params, len(selected), sum(1 for i in inspectors if i.qualified))
                prepared = prepare(pool, rules, [(s.code, units[s.code]) for s in selected],
                                   workers, inspectors)
                lines, failure = engine.form_groups(selected, units, prepared, inspectors, rules,
                                                    Ranker(tickets.prk))
    finally:
        _JOB.clear()
    if fused is not None:
        return engine.outcome(key, canon, lines, failure, counts, cutoffs, selected)
    population = scan(params, data, risk, workers)  # the steps apart (or the engine, below)
    if population is None:
        raise _Fallback
    return run(params, files, excluded, tickets, key, canon, population, workers)
