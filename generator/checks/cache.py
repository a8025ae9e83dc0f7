"""Findings over a large directory, kept between runs of an incremental build.

The personal-number and code checks read every row of the directory (a second or two at city
scale), and what they find there depends on the directory alone. A ``DirectoryTable`` carries a
content digest (``load_directory``: every file's path and bytes, the units, and the code digest
of ``generator/``, so editing a check changes it too). With a cache folder in the context, a
rule's directory findings are stored under that digest, one file per rule, and read back while
the digest is the same; anything unreadable is computed again. Without a folder, or for a
directory without a digest (built in code), nothing is kept.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

from ..findings import Finding
from .context import CheckContext

_MAGIC = b"gongshi-check-cache-1\n"


def directory_findings(ctx: CheckContext, enterprises: object, rule: str,
                       compute: Callable[[], list[Finding]]) -> list[Finding]:
    """``compute()``, or what it gave for this directory before (same content digest)."""
    digest = str(getattr(enterprises, "digest", "") or "")
    if ctx.cache is None or not digest:
        return compute()
    path = Path(ctx.cache) / f"{rule}.pickle"
    kept = _read(path, digest)
    if kept is not None:
        return kept
    found = compute()
    _write(path, digest, found)
    return found


def _read(path: Path, digest: str) -> list[Finding] | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.startswith(_MAGIC):
        return None
    try:
        key, found = pickle.loads(raw[len(_MAGIC):])
    except Exception:  # a damaged cache file: computed again
        return None
    if key != digest or not isinstance(found, list) \
            or not all(isinstance(f, Finding) for f in found):
        return None
    return found


def _write(path: Path, digest: str, found: list[Finding]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(_MAGIC + pickle.dumps((digest, found), pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError:  # not kept: the next run computes them again
        pass
