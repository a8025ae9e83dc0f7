"""A cache of the loaders' outputs, keyed by the content of the files they read.

``load_model(data_dir, cache_dir=…)`` reads a city's 500,000-row directory, 500 task files and
500 results files in several seconds; with the cache, a file whose bytes have not changed since
the last load is not parsed again: its loader output (the records and the findings it reported,
in order) is taken from the cache and the findings replayed into the :class:`LoadContext`, so a
cached load returns a model and findings equal to an uncached one.

An entry's key is a SHA-256 over

* the relative path and the SHA-256 of the bytes of each file the loader reads,
* the *code digest*: a SHA-256 over the source of every ``generator/**/*.py`` (any change of
  code invalidates every entry) and the versions of Python and of the libraries that parse,
* the *dependency digest*: what else the loader reads, as a stable text (the ``repr`` of the
  portal's units, of the vocabularies: frozen dataclasses of strings, ints and tuples, no sets).

One file per kind of entry (``directory.pickle``, ``tasks.pickle``, ``results.pickle``) holds
every entry of that kind used by the last load; the entries a load did not use are dropped when
it saves the cache, so the cache does not grow. A file starts with a magic line, a digest of
the code and library versions, and the SHA-256 of the pickled payload: a missing, unreadable, truncated, tampered or
stale file is ignored (the files are loaded normally and the cache rewritten), never an
exception and never a wrong model. Writes go to a temporary file then ``os.replace``.

The cache folder holds pickles: it must be a folder only the office's own build writes (never
inside the data folder, which ``load_model`` refuses).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import logging
import os
import pickle
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from .base import LoadContext

log = logging.getLogger("gongshi")

T = TypeVar("T")

_PACKAGE = Path(__file__).resolve().parent.parent  # generator/
_MAGIC = b"gongshi-load-cache 1\n"
_HEX = 64  # a SHA-256 in hex
_SUFFIX = ".pickle"
_TEMP = ".tmp"
KINDS = ("directory", "tasks", "results")

_Entry = tuple[tuple, tuple]  # (packed value, packed findings)


def file_digest(path: Path) -> str:
    """SHA-256 (hex) of a file's bytes."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@functools.cache
def _source_digest() -> str:
    h = hashlib.sha256()
    sources = sorted((p.relative_to(_PACKAGE).as_posix(), p) for p in _PACKAGE.rglob("*.py"))
    if not sources:  # no sources to tell one version from another: never share entries
        return hashlib.sha256(os.urandom(32)).hexdigest()
    for rel, path in sources:
        data = path.read_bytes()
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def code_digest() -> str:
    """SHA-256 over the source bytes of every ``generator/**/*.py``, sorted by path."""
    return _source_digest()


@functools.cache
def _environment() -> str:
    """The interpreter and the versions of the libraries whose parsing the loaders rely on."""
    import numpy
    import stdnum
    import yaml

    try:
        from importlib.metadata import version

        openpyxl = version("openpyxl")
    except Exception:  # noqa: BLE001 - not installed: XLSX files are reported as unreadable
        openpyxl = ""
    return repr((sys.version, numpy.__version__, yaml.__version__, stdnum.__version__, openpyxl))


def _salt() -> str:
    return code_digest() + "\0" + _environment()


def dependency_digest(*parts: object) -> str:
    """A stable digest of already loaded objects a loader also reads (their ``repr``: use it
    only for values whose repr is stable across processes — no sets, no dicts of sets)."""
    return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()


def content_key(kind: str, files: Sequence[tuple[str, str]], deps: str) -> str:
    """The key of a loader's output: kind, (relative path, SHA-256) of each file read, the
    dependency digest and the code digest."""
    h = hashlib.sha256()
    for part in (kind, _salt(), deps, str(len(files))):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for rel, digest in files:
        h.update(rel.encode("utf-8", "surrogatepass") + b"\0" + digest.encode("ascii") + b"\0")
    return h.hexdigest()


def _in_folder(ctx: LoadContext, key: str) -> str:
    """``key`` for the files of this data folder: a message may name the folder (an error of
    the XLSX library, say), so a folder's entries are never replayed for another one."""
    root = os.path.abspath(ctx.data_dir)
    return hashlib.sha256(f"{root}\0{key}".encode("utf-8", "surrogatepass")).hexdigest()


def _stat(path: Path) -> tuple[int, int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


class LoadCache:
    """Loader outputs memoized in ``folder``; see the module docstring.

    Use :meth:`memo` (or :meth:`recall` / :meth:`remember`) while loading, then :meth:`save`.
    Entries are held packed (:func:`pack`) as they are stored.
    """

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self._stored: dict[str, dict[str, _Entry]] = {}  # kind -> key -> entry, as read
        self._used: dict[str, dict[str, _Entry]] = {}  # the entries of this load
        self._changed: set[str] = set()
        self.hits = 0
        self.misses = 0

    # -- entries -------------------------------------------------------------------------------

    def recall(self, ctx: LoadContext, kind: str, key: str) -> tuple[bool, Any]:
        """(True, value) with the entry's findings appended to ``ctx.findings``, or (False, None)."""
        key = _in_folder(ctx, key)
        entry = self._entries(kind).get(key)
        if entry is not None:
            try:
                with _no_gc():
                    value, findings = unpack(entry[0]), unpack(entry[1])
            except Exception:  # noqa: BLE001 - a damaged entry: load the file instead
                entry = None
        if entry is None:
            self.misses += 1
            return False, None
        self.hits += 1
        self._used.setdefault(kind, {})[key] = entry
        ctx.findings.extend(findings)
        return True, value

    def remember(self, ctx: LoadContext, kind: str, key: str, value: Any, since: int) -> None:
        """Keep ``value`` and the findings ``ctx.findings[since:]`` under ``key``."""
        key = _in_folder(ctx, key)
        with _no_gc():
            entry = (pack(value), pack(tuple(ctx.findings[since:])))
        self._used.setdefault(kind, {})[key] = entry
        self._changed.add(kind)

    def memo(self, ctx: LoadContext, kind: str, paths: Sequence[Path], deps: str,
             compute: Callable[[], T]) -> T:
        """``compute()`` — the loading of ``paths`` — or its output for files of the same bytes."""
        before = stats(paths)
        try:
            files = [(ctx.rel(p), file_digest(p)) for p in paths]
        except OSError:
            before = None
        if before is None:  # the loader reports (or raises) as without a cache
            return compute()
        key = content_key(kind, files, deps)
        found, value = self.recall(ctx, kind, key)
        if found:
            return value
        since = len(ctx.findings)
        value = compute()
        if unchanged(paths, before):
            self.remember(ctx, kind, key, value, since)
        return value

    # -- files ---------------------------------------------------------------------------------

    def _path(self, kind: str) -> Path:
        return self.folder / f"{kind}{_SUFFIX}"

    def _entries(self, kind: str) -> dict[str, _Entry]:
        if kind not in self._stored:
            self._stored[kind] = self._read(kind)
        return self._stored[kind]

    def _read(self, kind: str) -> dict[str, _Entry]:
        """The entries of a cache file; {} for a missing, stale or damaged one."""
        path = self._path(kind)
        try:
            with path.open("rb") as fh:
                data = fh.read()
        except OSError:
            return {}
        head = len(_MAGIC) + _HEX + 32
        if len(data) < head or not data.startswith(_MAGIC):
            return {}
        salt = data[len(_MAGIC):len(_MAGIC) + _HEX]
        if salt != _salt_digest().encode("ascii"):
            return {}
        payload = memoryview(data)[head:]
        if hashlib.sha256(payload).digest() != data[head - 32:head]:
            log.info("gongshi：加载缓存文件 %s 已损坏，已忽略并将重建。", path)
            return {}
        try:
            with _no_gc():
                entries = pickle.loads(payload)  # noqa: S301 - our own file, checksummed
        except Exception:  # noqa: BLE001 - whatever the damage, load the files instead
            return {}
        if not isinstance(entries, dict) or not all(
            isinstance(k, str) and type(v) is tuple and len(v) == 2 for k, v in entries.items()
        ):
            return {}
        return entries

    def save(self) -> None:
        """Write the entries used by this load (the others are dropped); a file whose entries
        are all still the stored ones is left as it is, the file of a kind this load did not
        use is removed. A failed write only costs speed next time."""
        for kind in sorted(self._stored.keys() | self._used.keys() | set(KINDS)):
            used = self._used.get(kind, {})
            if kind not in self._stored and kind not in self._used:
                with contextlib.suppress(OSError):
                    self._path(kind).unlink(missing_ok=True)
                continue
            if kind not in self._changed and used.keys() == self._stored.get(kind, {}).keys():
                continue
            try:
                self._write(kind, used)
            except Exception as exc:  # noqa: BLE001 - the build goes on without the cache
                log.warning("gongshi：无法写入加载缓存 %s（%s），下次构建将重新读取数据文件。",
                            self._path(kind), exc)
            else:
                self._stored[kind] = dict(used)
        self._changed.clear()
        self._remove_stale_temporaries()

    def _write(self, kind: str, entries: dict[str, _Entry]) -> None:
        payload = pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{kind}-", suffix=_TEMP, dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC)
                fh.write(_salt_digest().encode("ascii"))
                fh.write(hashlib.sha256(payload).digest())
                fh.write(payload)
            os.replace(tmp, self._path(kind))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _remove_stale_temporaries(self) -> None:
        """Temporary files left by a build that was killed while writing (an hour old)."""
        try:
            old = time.time() - 3600
            for path in self.folder.glob(f".*{_TEMP}"):
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < old:
                        path.unlink()
        except OSError:
            pass


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """No cyclic garbage collection while many objects are built (none of them is garbage):
    the collector would walk the whole heap again and again, doubling the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _salt_digest() -> str:
    return hashlib.sha256(_salt().encode("utf-8", "surrogatepass")).hexdigest()


def unchanged(paths: Sequence[Path], before: Sequence[tuple[int, int, int]]) -> bool:
    """Whether the files still have the size, time and inode seen before they were read (a
    file edited while it was loaded must not be remembered under its former digest)."""
    try:
        return [_stat(p) for p in paths] == list(before)
    except OSError:
        return False


def stats(paths: Sequence[Path]) -> list[tuple[int, int, int]] | None:
    """:func:`_stat` of each path, or None when one cannot be read."""
    try:
        return [_stat(p) for p in paths]
    except OSError:
        return None


# -- packing: tuples of records as columns ------------------------------------------------------
#
# Unpickling 50,000 ``Result`` objects one by one (each with its Origin and two dates) takes half
# a second; their fields as columns of builtins (dates as day numbers), the objects built back
# with ``object.__new__`` and their ``__dict__``, a fifth of that. Only tuples of instances of
# one dataclass whose ``__dict__`` holds exactly its fields are packed so; anything else is kept
# as it is (pickled whole).

_RAW, _RECORDS, _DATES = 0, 1, 2


def pack(value: object) -> tuple:
    """``value`` in a form that pickles and unpickles fast; :func:`unpack` gives it back equal."""
    if type(value) is tuple and value:
        packed = _records(value)
        if packed is not None:
            return packed
    return (_RAW, value)


def _records(values: tuple | list) -> tuple | None:
    cls = type(values[0])
    if not dataclasses.is_dataclass(cls) or not hasattr(values[0], "__dict__"):
        return None
    names = tuple(f.name for f in dataclasses.fields(cls))
    if not names:
        return None
    keys = dict.fromkeys(names).keys()
    for v in values:
        if type(v) is not cls or vars(v).keys() != keys:
            return None
    dicts = [vars(v) for v in values]
    columns = tuple(_column([d[name] for d in dicts]) for name in names)
    return (_RECORDS, cls, names, columns)


def _column(values: list) -> tuple:
    first = type(values[0])
    if first is dt.date and all(type(v) is dt.date for v in values):
        return (_DATES, array("i", [v.toordinal() for v in values]))
    if dataclasses.is_dataclass(first):
        packed = _records(values)
        if packed is not None:
            return packed
    return (_RAW, values)


def unpack(packed: tuple) -> Any:
    """The value :func:`pack` was given (a column: a sequence of the values)."""
    tag = packed[0]
    if tag == _RAW:
        return packed[1]
    if tag == _DATES:
        return list(map(_FROM_ORDINAL, packed[1]))
    if tag != _RECORDS:
        raise ValueError(f"unknown packing {tag!r}")
    _, cls, names, columns = packed
    new = object.__new__
    out = []
    append = out.append
    for row in zip(*map(unpack, columns), strict=True):
        obj = new(cls)
        vars(obj).update(zip(names, row, strict=True))
        append(obj)
    return tuple(out)


_FROM_ORDINAL = dt.date.fromordinal
