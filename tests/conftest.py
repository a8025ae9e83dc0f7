"""Shared pytest fixtures.

Draw/verify fixtures (prefix ``demo_``/``verify_py``): one replay of the demo per session (about
10 s: real commits, draws, reveals and a signed log), copied per test with ``shutil.copytree``
so that every test may write to its own copy. Other developers: add your fixtures below, with
their own clearly named section.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

# --- draws and verification (tests/test_draws_*.py, tests/test_verify_*.py) ----------------


@dataclass(frozen=True)
class DemoDirs:
    """A demo folder: ``root/data`` (public, with the log) and ``root/secrets``."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def secrets(self) -> Path:
        return self.root / "secrets"

    def copy_to(self, dest: Path) -> DemoDirs:
        shutil.copytree(self.root, dest, symlinks=True)
        return DemoDirs(dest)


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> DemoDirs:
    """The replayed demo (read-only by convention: copy it with ``demo_copy``)."""
    from generator.demo.replay import replay

    root = tmp_path_factory.mktemp("demo-master")
    demo = DemoDirs(root)
    replay(demo.data, demo.secrets)
    return demo


@pytest.fixture
def demo_copy(demo_master: DemoDirs, tmp_path: Path) -> DemoDirs:
    """A private, writable copy of the replayed demo for one test."""
    return demo_master.copy_to(tmp_path / "demo")


@pytest.fixture(scope="session")
def verify_py(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standalone ``verify.py`` built from the package's sources."""
    from generator.verifier.bundle import build_verify_py

    path = tmp_path_factory.mktemp("verify-py") / "verify.py"
    path.write_bytes(build_verify_py())
    return path


# --- the wall clock of the draw commands (tests/test_draws_cli.py, tests/test_office_*.py) -----


class FakeClock:
    """The wall clock of every ``Workspace.at`` while a test runs (the log's times come from
    the system clock, PROTOCOL §8; tests may inject one)."""

    def __init__(self) -> None:
        self.now = _utc("2024-01-10T10:00:00+08:00")

    def set(self, text: str) -> None:
        self.now = _utc(text)

    def __call__(self) -> dt.datetime:
        return self.now


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("generator.draws.workspace.system_clock", fake)
    return fake
