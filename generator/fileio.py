"""Crash-safe file writes for the tool's own files (draw bundles, secrets), and small caches.

Every write goes to a temporary file in the same folder, is flushed and fsynced, then renamed
over the target, and the folder is fsynced: a reader sees the old file or the new one, never a
torn one. Secrets are created with mode 0600 inside folders of mode 0700.

A cache file (:func:`write_cached`) is one object pickled under a key; it is renamed into place
but not fsynced: whatever cannot be read back under the same key is computed again.
"""

from __future__ import annotations

import os
import pickle
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


_RENAME_EXCHANGE = 2  # linux/fs.h


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux renameat2(RENAME_EXCHANGE); False if unavailable."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (38, 22, 95):  # ENOSYS, EINVAL (file system without exchange), EOPNOTSUPP
        return False
    raise OSError(err, os.strerror(err), str(a))


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished folder ``new`` at ``target`` so that ``target`` is never missing.

    With an existing ``target`` the two folders are exchanged atomically (renameat2), then the
    old one, now at ``new``, is removed. Where the exchange is unavailable, the old folder is
    renamed away and the new one renamed in (a short window without ``target``).
    """
    import shutil

    new, target = Path(new), Path(target)
    if not target.exists():
        os.replace(new, target)
        fsync_dir(target.parent)
        return
    if _renameat2_exchange(new, target):
        fsync_dir(target.parent)
        shutil.rmtree(new, ignore_errors=True)
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    os.replace(target, old)
    os.replace(new, target)
    fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)


def read_cached(path: Path, key: str) -> object | None:
    """The object :func:`write_cached` stored in ``path`` under ``key`` (ASCII, no line
    break), or None: no file, another key, or a file that does not unpickle. Only for a
    folder the office's own builds write (it is unpickled)."""
    head = key.encode("ascii") + b"\n"
    try:
        with open(path, "rb") as f:
            if f.read(len(head)) != head:
                return None
            return pickle.load(f)  # noqa: S301 - our own cache, see above
    except Exception:  # missing, unreadable or damaged: computed again
        return None


def write_cached(path: Path, key: str, value: object) -> None:
    """Store ``value`` in ``path`` under ``key`` for :func:`read_cached`; a failed write leaves
    the cache as it was (the next build computes it again)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            f.write(key.encode("ascii") + b"\n")
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
