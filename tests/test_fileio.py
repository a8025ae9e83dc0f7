"""Crash-safe writes and the atomic folder swap (generator.fileio)."""

from __future__ import annotations

import os
from pathlib import Path

from generator import fileio


def test_write_atomic_replaces_whole_file_with_mode(tmp_path: Path):
    target = tmp_path / "a" / "f.txt"
    fileio.write_atomic(target, b"one")
    fileio.write_atomic(target, b"two", mode=0o600)
    assert target.read_bytes() == b"two"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["f.txt"]  # no temp file left


def test_write_secret_makes_a_private_folder(tmp_path: Path):
    fileio.write_secret(tmp_path / "s" / "secret", b"x")
    assert (tmp_path / "s").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "s" / "secret").stat().st_mode & 0o777 == 0o600


def test_replace_dir_exchanges_and_removes_the_old_folder(tmp_path: Path):
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old")
    new = tmp_path / ".site-build" / "site"
    new.mkdir(parents=True)
    (new / "new.html").write_text("new")
    fileio.replace_dir(new, target)
    assert sorted(os.listdir(target)) == ["new.html"]
    assert not new.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site-build", "site"]


def test_replace_dir_without_exchange_falls_back_to_two_renames(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(fileio, "_renameat2_exchange", lambda a, b: False)
    target = tmp_path / "site"
    target.mkdir()
    (target / "old.html").write_text("old")
    new = tmp_path / "new"
    new.mkdir()
    (new / "new.html").write_text("new")
    fileio.replace_dir(new, target)
    assert sorted(os.listdir(target)) == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_replace_dir_into_a_missing_target(tmp_path: Path):
    new = tmp_path / "new"
    new.mkdir()
    fileio.replace_dir(new, tmp_path / "site")
    assert (tmp_path / "site").is_dir() and not new.exists()
