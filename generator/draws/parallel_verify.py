"""The draw re-run of ``verify_task`` on all cores (gongshi side only; speed only).

``generator/protocol/verify.verify_task(..., draw_fn=draw_for_verify)`` re-runs the draw as
``engine.draw`` does over the verifier's one scan of ``directory.csv``, with the inspector
rankings and experts of the selected enterprises on all cores (:mod:`.parallel`); equal to
``engine.draw`` byte for byte (small selections and anything unusual: the engine itself). The standalone ``verify.py`` stays single-process and
stdlib-only: it never imports this module.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Mapping, Sequence

from ..protocol import engine
from ..protocol.canonical import parse_csv
from ..protocol.derive import excluded_codes
from ..protocol.engine import DrawOutcome
from ..protocol.groups import Ranker, Rules, experts_from_rows, inspectors_from_rows
from ..protocol.params import validate_params
from ..protocol.scan import RECORD, Population, apply_exclusions, stratum_counts
from ..protocol.selection import StreamingSelector, select_records
from ..protocol.tickets import Tickets
from . import parallel

MIN_SELECTED = 500  # below this the pool costs more than it saves


def draw_for_verify(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], population: Population | None = None,
    workers: int | None = None,
) -> DrawOutcome:
    """``engine.draw(..., population=population)`` with the inspector rankings and experts of
    the selected enterprises computed on all cores (:func:`.parallel.prepare`).

    The selection runs here over the caller's scan (``population``), exactly as in
    ``engine.draw``; without a scan, on one core, for a small selection or anything unusual
    (an error), the engine itself runs, so errors and their messages are the engine's."""
    workers = workers or parallel.default_workers()
    if population is None or workers < 2:
        return engine.draw(params, files, exclusions, code, numbers, population=population)
    try:
        return _draw(params, files, exclusions, code, numbers, population, workers)
    except Exception:  # noqa: BLE001 — the engine decides (same result or same error)
        parallel._JOB.clear()
        return engine.draw(params, files, exclusions, code, numbers, population=population)


class _Small(Exception):
    pass


def _draw(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], population: Population, workers: int,
) -> DrawOutcome:
    """``engine.draw`` step by step (same functions, same order), the group stage from
    :mod:`.parallel`."""
    if validate_params(params):
        raise _Small
    if len(numbers) != len(params["sources"]):
        raise _Small
    canon, key = engine.key_of(params["sources"], numbers)
    tickets = Tickets(code, key)
    ex = apply_exclusions(population, excluded_codes(exclusions))
    counts = stratum_counts(params, population, ex)
    selector = StreamingSelector({c.label: c.k for c in counts})
    select_records(
        selector, population.labels, population.records, population.stratum, ex.members,
        tickets.prk, RECORD,
    )
    selected, cutoffs = selector.result()
    if len(selected) < MIN_SELECTED:
        raise _Small
    units = {s.code: population.unit_of(population.index(s.code)) for s in selected}
    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    experts = experts_from_rows(parse_csv("experts.csv", files["experts.csv"]))
    rules = Rules.make(params, len(selected), sum(1 for i in inspectors if i.qualified))
    job = parallel._JOB
    job.clear()
    job.update(tickets=tickets, inspectors=inspectors, experts=experts, experts_spec=params["experts"])
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            prepared = parallel.prepare(pool, rules, [(s.code, units[s.code]) for s in selected], workers)
    finally:
        job.clear()
    lines, failure = parallel.form_groups(selected, units, prepared, inspectors, rules, Ranker(tickets.prk))
    return engine.outcome(key, canon, lines, failure, counts, cutoffs, selected)
