"""The 检查对象名录库 held column-wise: a read-only ``Mapping[str, Enterprise]``.

A province's directory has 5,000,000 rows: as one :class:`~generator.model.Enterprise` per row
(eleven Python objects each) it would need gigabytes. The table keeps each column compactly —
codes as one fixed-width byte array sorted for look-up, names and addresses as UTF-8 bytes with
offsets, the few distinct values of type, industry, unit, status … as small integer codes, dates
as day numbers — and builds an ``Enterprise`` only when one is asked for. Iteration follows the
file order (the order of the rows in data/directory/, files sorted by name), as a ``dict`` built
row by row would.

The internal credit-risk class is a separate column, only ever placed in ``Enterprise.internal``.

A table pickles as its columns only (the load cache stores it); ``digest`` identifies its
content (see ``load_directory``), for caches of what is derived from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import ItemsView, Iterator, Mapping, ValuesView

import numpy as np

from ..model import Enterprise, Origin

CODE_WIDTH = 18
_BATCH = 1 << 16
_FROM_ORDINAL = dt.date.fromordinal


class Strings:
    """Many strings as UTF-8 bytes and offsets."""

    __slots__ = ("_blob", "_offsets")

    def __init__(self, blob: bytes | bytearray, offsets: np.ndarray) -> None:
        self._blob = blob
        self._offsets = offsets  # len(strings) + 1 offsets, int64

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> str:
        off = self._offsets
        return self._blob[off[i]:off[i + 1]].decode("utf-8")

    def slice(self, start: int, stop: int) -> list[str]:
        off = self._offsets[start:stop + 1].tolist()
        blob = self._blob
        return [blob[a:b].decode("utf-8") for a, b in zip(off, off[1:], strict=False)]

    def __getstate__(self) -> tuple:
        """Offsets as 32-bit numbers when they fit (the load cache stores tables)."""
        off = self._offsets
        small = len(off) == 0 or int(off[-1]) < 2**32
        return self._blob, (off.astype(np.uint32) if small else off), off.dtype.str

    def __setstate__(self, state: tuple) -> None:
        blob, offsets, dtype = state
        self._blob = blob
        self._offsets = offsets.astype(np.dtype(dtype))

    def take(self, keep: np.ndarray) -> Strings:
        """The strings at the rows where ``keep`` is true."""
        off = self._offsets.tolist()
        pieces = [self._blob[off[i]:off[i + 1]] for i in np.flatnonzero(keep).tolist()]
        lengths = np.fromiter(map(len, pieces), np.int64, len(pieces))
        return Strings(b"".join(pieces), np.concatenate(([0], np.cumsum(lengths))))


class StringsBuilder:
    """Appends strings to one growing buffer (never a list of pieces joined at the end: that
    would hold every string twice)."""

    def __init__(self) -> None:
        self._blob = bytearray()
        self._lengths: list[np.ndarray] = []

    def extend(self, values: list[str]) -> None:
        encoded = [v.encode("utf-8") for v in values]
        self._blob += b"".join(encoded)
        self._lengths.append(np.fromiter(map(len, encoded), np.int64, len(encoded)))

    def mark(self) -> tuple[int, int]:
        return len(self._lengths), len(self._blob)

    def rollback(self, mark: tuple[int, int]) -> None:
        del self._lengths[mark[0]:], self._blob[mark[1]:]

    def build(self) -> Strings:
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int64)
        self._lengths = []
        offsets = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        blob, self._blob = self._blob, bytearray()
        return Strings(blob, offsets)


class Categories:
    """A column of few distinct values: the values once, and an integer code per row."""

    __slots__ = ("values", "codes")

    def __init__(self, values: list[str], codes: np.ndarray) -> None:
        self.values = values
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: int) -> str:
        return self.values[self.codes[i]]

    def slice(self, start: int, stop: int) -> list[str]:
        values = self.values
        return [values[c] for c in self.codes[start:stop].tolist()]

    def __getstate__(self) -> tuple:
        """Codes in the smallest integer type that holds them (the load cache stores tables)."""
        small = np.min_scalar_type(max(len(self.values) - 1, 0))
        return self.values, self.codes.astype(small), self.codes.dtype.str

    def __setstate__(self, state: tuple) -> None:
        values, codes, dtype = state
        self.values = values
        self.codes = codes.astype(np.dtype(dtype))


class CategoriesBuilder:
    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self._values: list[str] = []
        self._codes: list[np.ndarray] = []

    def extend(self, values: list[str]) -> None:
        index = self._index
        for v in set(values).difference(index):
            index[v] = len(self._values)
            self._values.append(v)
        self._codes.append(np.fromiter(map(index.__getitem__, values), np.int32, len(values)))

    def mark(self) -> int:
        return len(self._codes)

    def rollback(self, mark: int) -> None:
        del self._codes[mark:]  # values no longer used stay listed: harmless

    def build(self) -> Categories:
        codes = np.concatenate(self._codes) if self._codes else np.zeros(0, np.int32)
        self._codes = []
        return Categories(self._values, codes)


_ENTERPRISE_FIELDS = ("code", "name", "entity_type", "industry", "industry_risk", "unit",
                      "registered", "status", "address", "internal", "origin")


def _enterprise(values: tuple) -> Enterprise:
    """``Enterprise(*values)`` without the frozen dataclass's slow ``__init__``: the very same
    object (equal, hashable, ``dataclasses.replace``-able), built a few times faster."""
    e = object.__new__(Enterprise)
    vars(e).update(zip(_ENTERPRISE_FIELDS, values, strict=True))
    return e


def _origin(file: str, row: int) -> Origin:
    o = object.__new__(Origin)
    vars(o).update(file=file, row=row, column=None)
    return o


#: At most this many enterprises looked up by code are kept built (about 300 bytes each).
BUILT_MAX = 1_000_000


class DirectoryTable(Mapping[str, Enterprise]):
    """Enterprises by 统一社会信用代码, stored column-wise; see the module docstring."""

    def __init__(
        self,
        codes: np.ndarray,  # S18, file order
        names: Strings,
        addresses: Strings,
        categories: dict[str, Categories],  # entity_type industry industry_risk unit status risk
        registered: np.ndarray,  # date ordinals, int32
        files: list[str],
        file_index: np.ndarray,
        rows: np.ndarray,
        digest: str = "",
    ) -> None:
        n = len(codes)
        order = np.argsort(codes, kind="stable")
        self._sorted = codes[order]  # for look-up
        self._perm = order.astype(np.int32 if n < 2**31 else np.int64)  # sorted -> row
        inv = np.empty_like(self._perm)
        inv[self._perm] = np.arange(n, dtype=self._perm.dtype)
        self._inv = inv  # row -> sorted
        self._names = names
        self._addresses = addresses
        self._cat = categories
        self._registered = registered
        self._files = files
        self._file_index = file_index
        self._rows = rows
        self._n = n
        self._built: dict[str, Enterprise] = {}
        #: SHA-256 (hex) identifying the content: the directory files' bytes, the portal's
        #: units and the code that read them (set by ``load_directory``; "" when built otherwise)
        self.digest = digest

    # -- pickling: the columns only (the load cache stores tables) --------------------------

    _STATE = ("_sorted", "_perm", "_names", "_addresses", "_cat", "_registered", "_files",
              "_file_index", "_rows", "_n", "digest")

    def __getstate__(self) -> dict:
        """The columns; neither the enterprises built on look-up nor the inverse permutation."""
        return {k: getattr(self, k) for k in self._STATE}

    def __setstate__(self, state: dict) -> None:
        vars(self).update((k, state[k]) for k in self._STATE)
        inv = np.empty_like(self._perm)
        inv[self._perm] = np.arange(len(self._perm), dtype=self._perm.dtype)
        self._inv = inv
        self._built = {}

    # -- Mapping -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._n

    def _find(self, code: object) -> int:
        """The row of ``code``, or -1."""
        if type(code) is not str or len(code) != CODE_WIDTH or not code.isascii():
            return -1
        key = code.encode("ascii")
        j = int(np.searchsorted(self._sorted, key))
        if j < self._n and self._sorted[j] == key:
            return int(self._perm[j])
        return -1

    def __getitem__(self, code: str) -> Enterprise:
        e = self.get(code)
        if e is None:
            raise KeyError(code)
        return e

    def __contains__(self, code: object) -> bool:
        return code in self._built or self._find(code) >= 0

    def get(self, code, default=None):
        e = self._built.get(code) if type(code) is str else None
        if e is not None:
            return e
        i = self._find(code)
        return default if i < 0 else self._remember(code, self._build(code, i))

    def distinct(self, field: str) -> list[str]:
        """The distinct values of a categorical column (entity_type, industry, industry_risk,
        unit, status), each once (values no row holds any more may be among them)."""
        return list(self._cat[field].values)

    def column_of(self, codes: list[str], field: str) -> list[str | None]:
        """One categorical column (entity_type, industry, industry_risk, unit, status) for
        each of ``codes``, None for a code not in the table: one vectorised look-up instead of
        building an enterprise per code (statistics over every published enterprise)."""
        out: list[str | None] = [None] * len(codes)
        keep = [k for k, c in enumerate(codes)
                if type(c) is str and len(c) == CODE_WIDTH and c.isascii()]
        if not keep or not self._n:
            return out
        keys = np.array([codes[k].encode("ascii") for k in keep], dtype=f"S{CODE_WIDTH}")
        j = np.minimum(np.searchsorted(self._sorted, keys), self._n - 1)
        found = self._sorted[j] == keys
        column = self._cat[field]
        values = column.values
        for k, ok, c in zip(keep, found.tolist(), column.codes[self._perm[j]].tolist(),
                            strict=True):
            if ok:
                out[k] = values[c]
        return out

    def _remember(self, code: str, e: Enterprise) -> Enterprise:
        """Enterprises looked up by code are kept (the site looks each published one up
        several times: pages, search, downloads, statistics); the table never changes."""
        if len(self._built) < BUILT_MAX:
            self._built[code] = e
        return e

    def __iter__(self) -> Iterator[str]:
        for start in range(0, self._n, _BATCH):
            yield from self._codes(start, min(self._n, start + _BATCH))

    def values(self):
        return _Values(self)

    def items(self):
        return _Items(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        return len(self) == len(other) and dict(self.items()) == dict(other.items())

    __hash__ = None  # a mapping, like dict

    def __repr__(self) -> str:
        return f"<DirectoryTable of {self._n} enterprises>"

    # -- columns -------------------------------------------------------------------------------

    def _codes(self, start: int, stop: int) -> list[str]:
        text = self._sorted[self._inv[start:stop]].tobytes().decode("ascii")
        return [text[k:k + CODE_WIDTH] for k in range(0, len(text), CODE_WIDTH)]

    def columns(self, start: int, stop: int) -> dict[str, list]:
        """The rows ``start:stop`` (file order) column by column: code, name, entity_type,
        industry, industry_risk, unit, registered (dt.date), status, address, risk, file, row."""
        cat = self._cat
        return {
            "code": self._codes(start, stop),
            "name": self._names.slice(start, stop),
            "entity_type": cat["entity_type"].slice(start, stop),
            "industry": cat["industry"].slice(start, stop),
            "industry_risk": cat["industry_risk"].slice(start, stop),
            "unit": cat["unit"].slice(start, stop),
            "registered": list(map(_FROM_ORDINAL, self._registered[start:stop].tolist())),
            "status": cat["status"].slice(start, stop),
            "address": self._addresses.slice(start, stop),
            "risk": cat["risk"].slice(start, stop),
            "file": [self._files[f] for f in self._file_index[start:stop].tolist()],
            "row": self._rows[start:stop].tolist(),
        }

    def batches(self, size: int = _BATCH) -> Iterator[dict[str, list]]:
        """:meth:`columns` for consecutive row ranges covering the table."""
        for start in range(0, self._n, size):
            yield self.columns(start, min(self._n, start + size))

    def public_rows(self) -> Iterator[tuple]:
        """(code, entity_type, industry, industry_risk, unit, registered, status) in file order:
        the canonical directory.csv columns, without building enterprises."""
        for c in self.batches():
            yield from zip(c["code"], c["entity_type"], c["industry"], c["industry_risk"],
                           c["unit"], c["registered"], c["status"], strict=True)

    def public_columns_by_code(self) -> list[list[str]]:
        """The canonical directory.csv columns (code, entity_type, industry, industry_risk,
        unit, registered as YYYY-MM-DD, status), rows in ascending code order (the canonical
        order: codes are ASCII), built column-wise without building enterprises."""
        order = self._perm
        text = self._sorted.tobytes().decode("ascii")
        out = [[text[k:k + CODE_WIDTH] for k in range(0, len(text), CODE_WIDTH)]]
        for name in ("entity_type", "industry", "industry_risk", "unit", None, "status"):
            if name is None:
                days, inverse = np.unique(self._registered[order], return_inverse=True)
                values = [_FROM_ORDINAL(int(d)).isoformat() for d in days.tolist()]
                out.append([values[c] for c in inverse.tolist()])
                continue
            column = self._cat[name]
            values = column.values
            out.append([values[c] for c in column.codes[order].tolist()])
        return out

    def _enterprises(self) -> Iterator[Enterprise]:
        for c in self.batches():
            for code, name, et, ind, ir, unit, reg, st, addr, risk, file, row in zip(
                c["code"], c["name"], c["entity_type"], c["industry"], c["industry_risk"],
                c["unit"], c["registered"], c["status"], c["address"], c["risk"], c["file"],
                c["row"], strict=True,
            ):
                yield _enterprise((code, name, et, ind, ir, unit, reg, st, addr,
                                   {"risk": risk} if risk else {}, _origin(file, row)))

    def _build(self, code: str, i: int) -> Enterprise:
        cat = self._cat
        risk = cat["risk"][i]
        return _enterprise((
            code, self._names[i], cat["entity_type"][i], cat["industry"][i],
            cat["industry_risk"][i], cat["unit"][i], _FROM_ORDINAL(int(self._registered[i])),
            cat["status"][i], self._addresses[i], {"risk": risk} if risk else {},
            _origin(self._files[self._file_index[i]], int(self._rows[i])),
        ))


class _Values(ValuesView):
    def __iter__(self) -> Iterator[Enterprise]:
        return self._mapping._enterprises()


class _Items(ItemsView):
    def __iter__(self) -> Iterator[tuple[str, Enterprise]]:
        for e in self._mapping._enterprises():
            yield e.code, e
