"""`gongshi verify` re-runs draws on all cores (draws.parallel_verify); the verdicts must be the
very ones the single-process standalone path gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.draws import parallel_verify
from generator.verifier.run import verify_root

DATA = Path(__file__).resolve().parent.parent / "data"


def test_parallel_draw_for_verify_gives_the_same_verdicts(monkeypatch):
    monkeypatch.setattr(parallel_verify, "MIN_MEMBERS", 0)  # the demo's directories are small
    single = verify_root(DATA)
    parallel = verify_root(DATA, draw_fn=parallel_verify.draw_for_verify)
    assert [v.line() for v in parallel] == [v.line() for v in single]
    assert all(v.ok for v in parallel)


def test_verify_uses_the_parallel_scan_and_run(monkeypatch):
    """The parallel scan and draw really run (no silent fallback) and give the same verdicts."""
    from generator.draws import parallel
    from generator.protocol import engine

    monkeypatch.setattr(parallel_verify, "MIN_MEMBERS", 0)
    calls = {"scan": 0, "run": 0}
    real_scan, real_run = parallel.scan, parallel.run

    def spy_scan(*args, **kwargs):
        got = real_scan(*args, **kwargs)
        calls["scan"] += got is not None
        return got

    def spy_run(*args, **kwargs):
        calls["run"] += 1
        return real_run(*args, **kwargs)

    single = verify_root(DATA)
    monkeypatch.setattr(parallel, "scan", spy_scan)
    monkeypatch.setattr(parallel, "run", spy_run)
    monkeypatch.setattr(parallel_verify, "scan_directory", lambda *a, **k: pytest.fail("fell back to the single scan"))
    monkeypatch.setattr(engine, "draw", lambda *a, **k: pytest.fail("fell back to engine.draw"))
    got = verify_root(DATA, draw_fn=parallel_verify.draw_for_verify)
    assert [v.line() for v in got] == [v.line() for v in single]
    assert calls["scan"] > 0 and calls["run"] > 0
