"""`gongshi verify` re-runs draws on all cores (draws.parallel_verify); the verdicts must be the
very ones the single-process standalone path gives."""

from __future__ import annotations

from pathlib import Path

from generator.draws import parallel_verify
from generator.verifier.run import verify_root

DATA = Path(__file__).resolve().parent.parent / "data"


def test_parallel_draw_for_verify_gives_the_same_verdicts(monkeypatch):
    monkeypatch.setattr(parallel_verify, "MIN_SELECTED", 0)  # the demo's selections are small
    single = verify_root(DATA)
    parallel = verify_root(DATA, draw_fn=parallel_verify.draw_for_verify)
    assert [v.line() for v in parallel] == [v.line() for v in single]
    assert all(v.ok for v in parallel)
