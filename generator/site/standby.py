"""The standby copy of a site, so that an incremental build writes only what changed.

A build never writes into the site being served: it assembles the new site in another folder
and swaps the two with one atomic exchange (``fileio``'s renameat2), so visitors always see a
whole site, old or new. Assembling a whole new folder costs a file-system operation per page
(tens of thousands at city scale) even when one task changed. So incremental builds keep the
folder the swap gave back, the site as it was one build ago, as the *standby*, and remember
which files differ between it and the site being served (its *delta*). The next build turns
the standby into the new site by touching only those files and the ones it changes itself
(blue/green deployment):

- files written by this build move in from the build's temporary folder;
- files of the delta that this build keeps as they are served get a hard link to the served
  file; files of the delta that the new site no longer has are removed, and so are the files
  this build removes;

then the standby and the served site are exchanged, and the old served site is the next
standby. Unchanged files are hard links shared by the two folders, so the standby costs the
disk space of the changed files and of the folders only.

The state file next to the site (``.<site>.gongshi-standby.json``) names the delta and both
folders' inode numbers; it is removed before the standby is touched and written after the
exchange, so a build killed in between leaves a standby without state, which the next build
discards (and assembles the site the slow way). A build that does not maintain the standby
(a full build) removes it too.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

STATE_VERSION = 1


def folder_for(out: Path) -> Path:
    return out.parent / f".{out.name}.gongshi-standby"


def state_for(out: Path) -> Path:
    return out.parent / f".{out.name}.gongshi-standby.json"


def _ino(path: Path) -> list[int] | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return [st.st_dev, st.st_ino]


@dataclass
class Standby:
    folder: Path
    delta: frozenset[str]  # relative paths where the standby differs from the served site


def load(out: Path) -> Standby | None:
    """The standby of ``out`` if its state is valid (written after the last exchange, for the
    two folders there now), else None."""
    folder = folder_for(out)
    try:
        raw = json.loads(state_for(out).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(raw, dict) or raw.get("version") != STATE_VERSION
            or raw.get("standby") != _ino(folder) or raw.get("served") != _ino(out)
            or not isinstance(raw.get("delta"), list) or not folder.is_dir()):
        return None
    return Standby(folder, frozenset(map(str, raw["delta"])))


def invalidate(out: Path) -> None:
    """Forget the standby's state (before touching either folder)."""
    state_for(out).unlink(missing_ok=True)


def save(out: Path, delta: Iterable[str]) -> None:
    """Record, after the exchange, that the standby differs from ``out`` in ``delta``."""
    path = state_for(out)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"version": STATE_VERSION, "standby": _ino(folder_for(out)),
                               "served": _ino(out), "delta": sorted(delta)}), "utf-8")
    os.replace(tmp, path)


def ensure_folder(path: Path) -> None:
    """``path`` exists as a folder (one mkdir when its parent exists, the usual case)."""
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        path.mkdir(parents=True, exist_ok=True)


def _put(src: Path, dst: Path, *, link: bool) -> None:
    """``dst`` becomes ``src`` (moved, or hard-linked when ``link``), replacing a file there."""
    if dst.is_dir() and not dst.is_symlink():
        shutil.rmtree(dst)
    if link:
        tmp = dst.with_name(f".{dst.name}.gs-link")
        try:
            tmp.unlink(missing_ok=True)
            os.link(src, tmp)
        except FileNotFoundError:
            ensure_folder(dst.parent)
            os.link(src, tmp)
        except OSError:
            shutil.copy2(src, tmp)
        os.replace(tmp, dst)
        return
    try:
        os.replace(src, dst)
    except FileNotFoundError:
        ensure_folder(dst.parent)
        os.replace(src, dst)


def _remove(root: Path, rel: str) -> None:
    """Remove ``root/rel`` and then its parents left empty (never ``root``)."""
    path = root / rel
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except FileNotFoundError:
        return
    parent = path.parent
    while parent != root:
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def _parallel(work, items: list[str]) -> None:
    """The cost is the file system's latency per operation: a few threads overlap it."""
    def some(chunk: list[str]) -> None:
        for item in chunk:
            work(item)

    if len(items) < 200:
        some(items)
        return
    with ThreadPoolExecutor(8) as pool:  # (its map takes no chunks: one task per 256 items)
        list(pool.map(some, [items[i:i + 256] for i in range(0, len(items), 256)]))


def update(standby: Standby, served: Path, written: Path, written_files: Collection[str],
           carried: Collection[str], served_files: Collection[str]) -> set[str]:
    """Turn the standby into the new site: the files under ``written`` (this build's output,
    ``written_files``, moved) and ``carried`` (files of ``served`` the new site keeps as they
    are). Returns the new site's delta to ``served`` (which becomes the next standby)."""
    root = standby.folder
    written_set = set(written_files)
    carried_set = set(carried)
    new = written_set | carried_set
    removed = [rel for rel in served_files if rel not in new]
    _parallel(lambda rel: _put(written / rel, root / rel, link=False), sorted(written_set))
    stale = sorted(rel for rel in standby.delta if rel not in written_set)
    relink = [rel for rel in stale if rel in carried_set]
    _parallel(lambda rel: _put(served / rel, root / rel, link=True), relink)
    for rel in sorted({rel for rel in stale if rel not in carried_set} | set(removed)):
        _remove(root, rel)
    return written_set | set(removed)


def link_files(src: Path, dst: Path, rels: list[str]) -> None:
    """Hard-link the files ``rels`` of ``src`` into ``dst`` (copied where linking fails)."""

    def work(rel: str) -> None:
        target = dst / rel
        try:
            os.link(src / rel, target)
        except FileNotFoundError:
            ensure_folder(target.parent)
            os.link(src / rel, target)
        except OSError:
            ensure_folder(target.parent)
            shutil.copy2(src / rel, target)

    _parallel(work, rels)


def clone(src: Path, dst: Path, files: list[str]) -> None:
    """``dst``: a copy of ``src`` made of hard links (``files``: every file of ``src``)."""
    dst.mkdir()
    link_files(src, dst, files)
