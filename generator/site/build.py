"""The site build pipeline, top to bottom (``gongshi build``).

load -> check -> refuse on errors -> public view -> MkDocs build into a temporary folder next to
the destination (the plugin adds the generated pages and files; after the build it runs Pagefind
and the leak scanner) -> atomic swap into ``out`` (``fileio.replace_dir``: one renameat2 exchange, so ``out`` always
holds a whole site, old or new). Any failure leaves the previous site untouched.

The old site, after the swap, is removed in the background when it is large (tens of thousands
of folders take many seconds to delete): a detached process renames it to
``.site-old-<its pid>-<out name>.discard-<random>`` and deletes it, so ``build_site`` returns at
once. Should that process be killed, the folder is an ordinary stale folder of a dead process.

The temporary folder is named ``.site-build-<pid>-<out name>-<random>``: a build killed before
it could remove it leaves it behind, and the next successful build removes, after its swap,
every such folder whose process no longer exists (never the folder of a live build).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config

from .. import fileio
from ..fileio import replace_dir
from ..model import Model
from . import leak, standby
from .fastpath import BuildCache
from .leak import Leak
from .source import load_view
from .view import PublicView

ROOT = Path(__file__).resolve().parents[2]


class LeakError(Exception):
    """The leak scanner found values that must not be published; nothing was swapped in."""

    def __init__(self, leaks: list[Leak]) -> None:
        super().__init__(f"发现 {len(leaks)} 处不应公开的内容")
        self.leaks = leaks


@dataclass
class BuildReport:
    out: Path
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def build_site(data_dir: str, as_of: dt.date, out: str | Path,
               config_file: str | Path | None = None, *, incremental: bool = False,
               fast_path: bool | None = None, secrets_dir: str | Path | None = None) -> Path:
    """Build the site for ``as_of`` into ``out``. Raises DataError, LeakError or mkdocs errors.

    ``incremental``: reuse the pages of the site already in ``out`` whose inputs did not change
    (the result is byte-identical to a full build). ``fast_path=False``: every page through
    MkDocs (slow; the reference the fast path is tested against). ``secrets_dir``: run the
    pre-publication scan that knows the secrets (:mod:`generator.site.prepublish`) over the
    finished site before it is swapped in; the only part of a build that reads ``secrets/``.
    """
    cache = cache_folder(Path(out).resolve()) if incremental else None
    model, view, _findings = load_view(data_dir, as_of, cache_dir=cache)
    return build_from_view(model, view, out, config_file, incremental=incremental,
                           fast_path=fast_path, secrets_dir=secrets_dir).out


def build_from_view(model: Model, view: PublicView, out: str | Path,
                    config_file: str | Path | None = None, *, incremental: bool = False,
                    fast_path: bool | None = None,
                    secrets_dir: str | Path | None = None) -> BuildReport:
    """The build after loading: MkDocs + fast path + search + leak scan, then the swap.

    ``incremental``: files whose inputs did not change are reused from the site in ``out``,
    and the standby copy (:mod:`generator.site.standby`) is kept, so that the next
    incremental build writes only what changes; a build without a previous site prepares it.
    ``secrets_dir``: see :func:`build_site`.
    """
    t0 = time.perf_counter()
    # the model (millions of objects at city scale) is never garbage: keep the collector from
    # walking it again and again while the build allocates
    gc.freeze()
    try:
        return _build(model, view, out, config_file, incremental, fast_path, t0, secrets_dir)
    finally:
        gc.unfreeze()


def _build(model: Model, view: PublicView, out: str | Path, config_file: str | Path | None,
           incremental: bool, fast_path: bool | None, t0: float,
           secrets_dir: str | Path | None = None) -> BuildReport:
    config_path = Path(config_file) if config_file else ROOT / "mkdocs.yml"
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    restore_lost_site(out)
    previous = BuildCache.load(out) if incremental else None
    spare = standby.load(out) if previous is not None else None
    if spare is None:  # from here on a standby would no longer match ``out``
        standby.invalidate(out)
        if os.path.lexists(standby.folder_for(out)):
            discard(standby.folder_for(out), out)
    tmp = Path(tempfile.mkdtemp(prefix=f"{BUILD_PREFIX}{os.getpid()}-{out.name}-",
                                dir=out.parent))
    report = BuildReport(out)
    try:
        cfg = load_config(str(config_path), site_dir=str(tmp / "site"))
        plugin = cfg.plugins["gongshi"]
        plugin.prepared = (model, view)  # type: ignore[attr-defined]
        plugin.cache_dir = cache_folder(out) if incremental else None  # type: ignore[attr-defined]
        if fast_path is not None:
            plugin.config.fast_path = fast_path  # type: ignore[attr-defined]
        if previous is not None:
            plugin.previous_cache = previous  # type: ignore[attr-defined]
            plugin.previous_site = out  # type: ignore[attr-defined]
            plugin.link_carried = spare is None  # type: ignore[attr-defined]
        elif incremental:  # the first build of the site: its copy is the next one's standby
            plugin.standby_copy = tmp / "standby"  # type: ignore[attr-defined]
        cfg = cfg.plugins.on_startup(command="build", dirty=False) or cfg
        try:
            mkdocs_build(cfg)
        except Exception:
            if plugin.leaks:  # type: ignore[attr-defined]
                raise LeakError(plugin.leaks) from None  # type: ignore[attr-defined]
            raise
        finally:
            cfg.plugins.on_shutdown()
        BuildCache.path_for(out).unlink(missing_ok=True)
        t = time.perf_counter()
        written = leak.list_files(tmp / "site")
        carried: list[str] = plugin.carried  # type: ignore[attr-defined]
        served = (previous.files or leak.list_files(out)) if previous is not None else []
        files = sorted(set(written) | set(carried))
        if spare is not None:  # the standby becomes the new site
            standby.invalidate(out)
            delta = standby.update(spare, out, tmp / "site", written, carried, served)
            report.timings["assemble"] = time.perf_counter() - t
            _secret_scan(spare.folder, secrets_dir, model, view, report)
            t = time.perf_counter()
            swapped = _swap_in(spare.folder, out)
            old = spare.folder if swapped else None
        else:
            # every file not reused (carried files were linked into the new folder) or gone
            delta = (set(written) - set(carried)) | (set(served) - set(files))
            _secret_scan(tmp / "site", secrets_dir, model, view, report)
            t = time.perf_counter()
            swapped = _swap_in(tmp / "site", out)
            old = tmp / "site" if swapped else None
        remove_stale_folders(out)
        cache = plugin.cache  # type: ignore[attr-defined]
        if cache is not None and plugin.config.fast_path:  # type: ignore[attr-defined]
            cache.files = files
            cache.save(out)
        if incremental and plugin.config.fast_path:  # type: ignore[attr-defined]
            if old is not None and previous is not None:  # the old site is the new standby
                if old != standby.folder_for(out):
                    os.rename(old, standby.folder_for(out))
                standby.save(out, delta)
            else:  # no site before, or one of unknown content: the copy made of this one
                if old is not None:
                    discard(old, out)
                if (tmp / "standby").is_dir():
                    os.rename(tmp / "standby", standby.folder_for(out))
                    standby.save(out, ())
                # else: no exchange here (two-rename fallback); the next build goes the slow way
        elif old is not None:
            discard(old, out)
        report.timings.update(plugin.timings)  # type: ignore[attr-defined]
        report.counts.update(plugin.counts)  # type: ignore[attr-defined]
        report.timings["swap"] = time.perf_counter() - t
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    report.timings["total"] = time.perf_counter() - t0
    return report


def _secret_scan(site: Path, secrets_dir: str | Path | None, model: Model, view: PublicView,
                 report: BuildReport) -> None:
    """The pre-publication scan over the whole new site (raises LeakError: nothing swapped)."""
    if secrets_dir is None:
        return
    from . import prepublish

    t = time.perf_counter()
    found = prepublish.scan(site, secrets_dir, model, view)
    report.timings["secret_scan"] = time.perf_counter() - t
    if found:
        raise LeakError(found)


def cache_folder(out: Path) -> Path:
    """Caches of incremental builds (loaded files, directory findings of the checks, compiled
    leak rules), next to the site."""
    return out.parent / f".{out.name}.gongshi-cache"


def _swap_in(new: Path, target: Path) -> bool:
    """``fileio.replace_dir`` without its removal of the old site: True if the old site is now
    at ``new`` (atomic exchange), False if it was already removed (no site before, or the
    two-rename fallback)."""
    if target.exists() and fileio._renameat2_exchange(new, target):
        fileio.fsync_dir(target.parent)
        return True
    replace_dir(new, target)
    return False


#: Folders with at least this many entries are deleted in the background.
BACKGROUND_MIN = 2000
_DELETERS: list[subprocess.Popen] = []  # kept until they end (no zombie, no warning)
_DELETER = r"""
import os, shutil, sys
src, parent, name = sys.argv[1:4]
dst = os.path.join(parent, ".site-old-%d-%s.discard-%s" % (os.getpid(), name, sys.argv[4]))
try:
    os.rename(src, dst)
except OSError:
    dst = src
sys.stdout.write("renamed\n")
sys.stdout.flush()
sys.stdout.close()
shutil.rmtree(dst, ignore_errors=True)
"""


def _small(path: Path, limit: int = BACKGROUND_MIN) -> bool:
    """Whether ``path`` holds fewer than ``limit`` entries (stops counting at ``limit``)."""
    seen = 0
    stack = [str(path)]
    while stack:
        try:
            with os.scandir(stack.pop()) as it:
                for entry in it:
                    seen += 1
                    if seen >= limit:
                        return False
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            pass
    return True


def discard(path: Path, out: Path) -> None:
    """Remove ``path`` (a folder next to ``out``): at once when small, else by a detached
    process that first renames it to ``.site-old-<its pid>-...`` (so no other build touches it
    while that process lives, and the stale-folder cleanup takes it if that process dies)."""
    for proc in list(_DELETERS):
        if proc.poll() is not None:
            _DELETERS.remove(proc)
    if _small(path):
        shutil.rmtree(path, ignore_errors=True)
        return
    try:
        proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _DELETER, str(path), str(out.parent), out.name,
             os.urandom(4).hex()],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True)
    except OSError:
        shutil.rmtree(path, ignore_errors=True)
        return
    assert proc.stdout is not None
    proc.stdout.readline()  # renamed away (or failed to): ``path`` is free
    proc.stdout.close()
    _DELETERS.append(proc)


BUILD_PREFIX = ".site-build-"
# .site-build-<pid>-...: this module's temporary folders; .site-old-<pid>-<name>: the old site
# renamed away by earlier versions; .<name>.old-<pid>: fileio.replace_dir's fallback.
_STALE = re.compile(r"^(?:\.site-build-(?P<b>[0-9]+)-.*|\.site-old-(?P<o>[0-9]+)-(?P<oname>.+)"
                    r"|\.(?P<fname>.+)\.old-(?P<f>[0-9]+))$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def _stale(out: Path) -> list[tuple[Path, str | None]]:
    """(folder, name of the site it held or None) for each folder of a dead build."""
    found = []
    try:
        entries = sorted(out.parent.iterdir())
    except FileNotFoundError:
        return found
    for path in entries:
        m = _STALE.match(path.name)
        if m is None or not path.is_dir() or path.is_symlink():
            continue
        if _alive(int(m.group("b") or m.group("o") or m.group("f"))):
            continue
        name = m.group("oname") or m.group("fname")
        if m.group("f") and name != out.name:
            continue  # .<name>.old-<pid> of another folder: not ours to judge
        found.append((path, name))
    return found


def restore_lost_site(out: Path) -> None:
    """If ``out`` is missing because a build (of an earlier version, or with the two-rename
    fallback) was killed between its renames, put the old site it renamed away back."""
    if os.path.lexists(out):
        return
    for path, name in _stale(out):
        if name == out.name:
            os.replace(path, out)
            return


def remove_stale_folders(out: Path) -> list[str]:
    """Remove the temporary folders next to ``out`` left by builds that were killed (their
    process no longer exists); run after a successful swap, so never the only copy of a site."""
    removed = []
    for path, _name in _stale(out):
        discard(path, out)
        removed.append(path.name)
    return removed
