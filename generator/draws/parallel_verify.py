"""The draw re-run of ``verify_task`` on all cores (gongshi side only; speed only).

``generator/protocol/verify.verify_task(..., draw_fn=draw_for_verify)`` re-runs the draw with
:func:`.parallel.draw` (equal to ``engine.draw`` byte for byte, or the engine itself for small
directories and anything unusual). The standalone ``verify.py`` stays single-process and
stdlib-only: it never imports this module.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..protocol import engine
from ..protocol.engine import DrawOutcome
from ..protocol.scan import Population
from . import parallel


def draw_for_verify(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], population: Population | None = None,
    workers: int | None = None,
) -> DrawOutcome:
    """``engine.draw(..., population=population)`` by :func:`.parallel.draw` when it pays.

    The parallel draw scans ``directory.csv`` in its workers and does not use ``population``;
    below its threshold (or on one core) the engine runs with the caller's scan."""
    workers = workers or parallel.default_workers()
    rows = files.get("directory.csv", b"").count(b"\n") - 1
    if workers < 2 or rows < parallel.MIN_PARALLEL_ROWS:
        return engine.draw(params, files, exclusions, code, numbers, population=population)
    return parallel.draw(params, files, exclusions, code, numbers, workers=workers)
