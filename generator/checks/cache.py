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

from collections.abc import Callable
from pathlib import Path

from ..fileio import read_cached, write_cached
from ..findings import Finding
from .context import CheckContext


def directory_findings(ctx: CheckContext, enterprises: object, rule: str,
                       compute: Callable[[], list[Finding]]) -> list[Finding]:
    """``compute()``, or what it gave for this directory before (same content digest)."""
    digest = str(getattr(enterprises, "digest", "") or "")
    if ctx.cache is None or not digest:
        return compute()
    path = Path(ctx.cache) / f"{rule}.pickle"
    kept = read_cached(path, digest)
    if isinstance(kept, list) and all(isinstance(f, Finding) for f in kept):
        return kept
    found = compute()
    write_cached(path, digest, found)
    return found
