"""Crash-safe file writes for the tool's own files (draw bundles, secrets).

Every write goes to a temporary file in the same folder, is flushed and fsynced, then renamed
over the target, and the folder is fsynced: a reader sees the old file or the new one, never a
torn one. Secrets are created with mode 0600 inside folders of mode 0700.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically (temp file, fsync, rename, fsync folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    fsync_dir(path.parent)


def write_secret(path: Path, data: bytes) -> None:
    """Write a secret file (mode 0600) inside a private folder (mode 0700)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    write_atomic(path, data, mode=0o600)


def write_new(path: Path, data: bytes, *, secret: bool = False) -> None:
    """Write a file that must not exist yet (bundle files are never rewritten)."""
    if path.exists():
        if path.read_bytes() == data:
            return
        raise FileExistsError(str(path))
    (write_secret if secret else write_atomic)(path, data)
