"""The scan and the draw re-run of ``verify_task`` on all cores (gongshi side only; speed only).

``generator/protocol/verify.verify_task(..., draw_fn=draw_for_verify)`` scans ``directory.csv``
with ``draw_for_verify.scan_directory`` (:func:`scan_for_verify`: :func:`.parallel.scan`, equal
to ``scan.scan_directory``) and re-runs the draw over that one scan as ``engine.draw`` does, with
the tickets, the inspector rankings and the experts on all cores (:func:`.parallel.run`); equal
to ``engine.draw`` byte for byte (small directories and anything unusual: the engine itself).
The standalone ``verify.py`` stays single-process and stdlib-only: it never imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..protocol import engine
from ..protocol.derive import excluded_codes
from ..protocol.engine import DrawOutcome
from ..protocol.params import validate_params
from ..protocol.scan import Population, scan_directory
from ..protocol.tickets import Tickets
from . import parallel

MIN_MEMBERS = 50_000  # below this (population members, or directory rows) the pool costs more than it saves


def scan_for_verify(params: Mapping, data: bytes, risk: Mapping[str, str] | None = None) -> Population:
    """``scan.scan_directory`` on all cores (same population; same error, from the single scan)."""
    workers = parallel.default_workers()
    if workers >= 2 and data.count(b"\n") - 1 >= MIN_MEMBERS:
        try:
            population = parallel.scan(params, data, risk, workers)
        except Exception:  # noqa: BLE001 — the single scan decides (same result or same error)
            population = None
        if population is not None:
            return population
    return scan_directory(params, data, risk)


def draw_for_verify(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], population: Population | None = None,
    workers: int | None = None,
) -> DrawOutcome:
    """``engine.draw(..., population=population)`` with the tickets, the inspector rankings and
    the experts computed on all cores (:func:`.parallel.run`).

    Without a scan, on one core, for a small population or anything unusual (an error), the
    engine itself runs, so errors and their messages are the engine's."""
    workers = workers or parallel.default_workers()
    if population is None or workers < 2 or len(population) < MIN_MEMBERS:
        return engine.draw(params, files, exclusions, code, numbers, population=population)
    try:
        return _draw(params, files, exclusions, code, numbers, population, workers)
    except Exception:  # noqa: BLE001 — the engine decides (same result or same error)
        parallel._JOB.clear()
        return engine.draw(params, files, exclusions, code, numbers, population=population)


# verify_task's one scan of directory.csv (speed only; see protocol.verify.verify_task)
draw_for_verify.scan_directory = scan_for_verify  # type: ignore[attr-defined]


class _Declined(Exception):
    pass


def _draw(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], population: Population, workers: int,
) -> DrawOutcome:
    """``engine.draw`` step by step (same functions, same order) over the caller's scan."""
    if validate_params(params):
        raise _Declined
    canon, key = engine.key_of(params["sources"], numbers)
    tickets = Tickets(code, key)
    return parallel.run(params, files, excluded_codes(exclusions), tickets, key, canon, population, workers)
