"""One validated scan of ``directory.csv`` per operation (PROTOCOL §2, §3, §6.3–§6.4).

:func:`scan_directory` checks the canonical bytes once — exactly what
:func:`.canonical.iter_rows` accepts — and keeps a compact record of the population
(:class:`Population`): per member its code, stratum and unit, per stratum ``N_before``, and
per (unit, stratum) the member count. ``announce``, ``commit_refusals``, ``draw`` and
``verify_task`` all work from that record, so the directory is parsed once per operation.

Speed only: the fast path (:class:`_Scanner`) works a few MiB at a time with whole-chunk C
operations on bytes (UTF-8 decoding, one split, the codes checked column-wise by
:func:`codes_valid`, one byte translation that shows every text field valid — else the
distinct values of each column are checked once with :func:`.canonical.parse_field` — and
strata memoised on the values the conditions name). Whatever it does not accept it hands to
the reference path (``iter_rows`` + ``assign_strata``), which then raises the exact error of
``iter_rows`` — or, if the fast path was merely cautious, returns the same record. It can also
scan spans of rows apart (:func:`scan_lines`, for the parallel draw) whose records
:func:`merge` joins. ``tests/test_protocol_scan.py`` and ``tests/test_protocol_fastscan.py``
check both paths against the per-pass functions of :mod:`.derive` and the field rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from array import array
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress, repeat
from operator import add, lt, mul

from .canonical import SCHEMAS, header, iter_rows, parse_csv, parse_field
from .encoding import USCC_ALPHABET, USCC_WEIGHTS
from .params import DIRECTORY_COLUMNS, assign_strata, stratum_of
from .selection import k_of

RECORD = 19  # bytes per member in Population.records: the 18 ASCII code bytes, then 0x01
_CHUNK = 1 << 18  # bytes of directory.csv per fast-path chunk (small: its objects stay in the caches)
_ACCEPTED_MAX = 65_536  # distinct accepted values remembered per column
_LABEL_MEMO_MAX = 65_536
_COLUMNS = ("code",) + DIRECTORY_COLUMNS + ("risk",)  # row positions the conditions name


class _Decline(Exception):
    """The fast path leaves this file to the reference path (which raises the exact error)."""


@dataclass
class Population:
    """The population of one task's ``directory.csv`` in compact form (about 30 bytes/member).

    Members are in file order (ascending code). ``records`` holds member ``i`` at
    ``[19·i, 19·i + 19)``: its code then ``0x01`` — the exact HKDF-Expand input of its ticket
    (§6.2, L = 32: ``T(1) = HMAC(PRK, label ‖ 0x01)``).
    """

    labels: list[str]  # stratum labels, parameter order; stratum index = position
    records: bytearray
    stratum: array  # stratum index per member
    unit: array  # index into unit_names per member
    unit_names: list[str]
    n_before: list[int]  # members per stratum (before exclusions)
    per_unit: Counter  # (unit index, stratum index) → members (before exclusions)
    rows: int  # directory rows

    def __len__(self) -> int:
        return len(self.stratum)

    def code(self, i: int) -> str:
        return self.records[RECORD * i:RECORD * i + 18].decode("ascii")

    def unit_of(self, i: int) -> str:
        return self.unit_names[self.unit[i]]

    def index(self, code: str) -> int | None:
        """The member index of ``code``, or ``None`` when it is not a population member."""
        key = code.encode("utf-8") if isinstance(code, str) else b""
        if len(key) != 18:
            return None
        recs, lo, hi = self.records, 0, len(self.stratum)
        while lo < hi:
            mid = (lo + hi) // 2
            at = recs[RECORD * mid:RECORD * mid + 18]
            if at < key:
                lo = mid + 1
            elif at > key:
                hi = mid
            else:
                return mid
        return None

    def members(self) -> Iterator[tuple[str, str, str]]:
        """``(code, stratum label, unit)`` per member, as :func:`.derive.members` streams them."""
        labels, names = self.labels, self.unit_names
        for i in range(len(self.stratum)):
            yield self.code(i), labels[self.stratum[i]], names[self.unit[i]]


@dataclass(frozen=True)
class Excluded:
    """The exclusions applied to a :class:`Population`."""

    members: dict[int, str]  # member index → code, for the excluded codes that are members
    n_after: list[int]  # members per stratum after exclusions
    per_unit: Counter  # (unit index, stratum index) → members after exclusions


def apply_exclusions(pop: Population, codes: Iterable[str]) -> Excluded:
    found: dict[int, str] = {}
    for code in codes:
        i = pop.index(code)
        if i is not None:
            found[i] = code
    n_after = list(pop.n_before)
    per_unit = Counter(pop.per_unit)
    for i in found:
        s = pop.stratum[i]
        n_after[s] -= 1
        per_unit[(pop.unit[i], s)] -= 1
    return Excluded(found, n_after, +per_unit)


def stratum_counts(params: Mapping, pop: Population, ex: Excluded | None = None) -> list:
    """§6.4 from the scan: :class:`.derive.StratumCount` per stratum, as ``count_strata``."""
    from .derive import StratumCount

    after = pop.n_before if ex is None else ex.n_after
    return [
        StratumCount(s["label"], pop.n_before[j], after[j], k_of(s, after[j]))
        for j, s in enumerate(params["strata"])
    ]


def risk_of(params: Mapping, files: Mapping[str, bytes]) -> dict[str, str] | None:
    """``risk.csv`` as {code: risk} in audit mode when present (as :func:`.derive.members`)."""
    if params["mode"] != "audit" or "risk.csv" not in files:
        return None
    return {c: r for c, r in parse_csv("risk.csv", files["risk.csv"])}


def scan_files(params: Mapping, files: Mapping[str, bytes]) -> Population:
    """The scan of ``files["directory.csv"]`` with the task's risk classes (audit mode)."""
    return scan_directory(params, files["directory.csv"], risk_of(params, files))


def scan_directory(params: Mapping, data: bytes, risk: Mapping[str, str] | None = None) -> Population:
    """Check ``directory.csv`` as :func:`.canonical.iter_rows` does (same errors) and return its
    population (``params`` valid; ``risk``: {code: risk class}, absent codes → ``""``).

    Speed only: the population is a pure function of the bytes and of the parameters'
    population and strata, so the last few scans without risk classes are remembered by the
    bytes' SHA-256 and those parameters (many tasks over one snapshot: commit, draw and verify
    each scan it). A remembered population is shared: callers never modify one."""
    key = None
    if not risk:
        key = (hashlib.sha256(data).digest(),
               json.dumps([params.get("population"), params.get("strata")], sort_keys=True))
        hit = _SCANS.get(key)
        if hit is not None:
            _SCANS.move_to_end(key)
            return hit
    try:
        pop = _fast(params, data, risk or {})
    except _Decline:
        pop = scan_reference(params, data, risk)
    if key is not None:
        _SCANS[key] = pop
        while len(_SCANS) > _SCANS_MAX:
            _SCANS.popitem(last=False)
    return pop


_SCANS: OrderedDict[tuple[bytes, str], Population] = OrderedDict()
_SCANS_MAX = 8


def scan_reference(params: Mapping, data: bytes, risk: Mapping[str, str] | None = None) -> Population:
    """The scan by the reference functions ``iter_rows`` and ``assign_strata``."""
    labels = [s["label"] for s in params["strata"]]
    index = {label: j for j, label in enumerate(labels)}
    pop = _empty(labels)
    unit_idx: dict[str, int] = {}
    rows = 0

    def counted(it):
        nonlocal rows
        for row in it:
            rows += 1
            yield row

    for code, label, unit in assign_strata(params, counted(iter_rows("directory.csv", data)), risk):
        u = unit_idx.get(unit)
        if u is None:
            u = unit_idx[unit] = len(pop.unit_names)
            pop.unit_names.append(unit)
        s = index[label]
        pop.records += code.encode("ascii") + b"\x01"
        pop.stratum.append(s)
        pop.unit.append(u)
        pop.n_before[s] += 1
        pop.per_unit[(u, s)] += 1
    pop.rows = rows
    return pop


def _empty(labels: list[str]) -> Population:
    return Population(labels, bytearray(), array("I"), array("I"), [], [0] * len(labels), Counter(), 0)


def _fast(params: Mapping, data: bytes, risk: Mapping[str, str]) -> Population:
    head = header("directory.csv")
    if not data.startswith(head) or not data.endswith(b"\n"):
        raise _Decline
    if len(data) == len(head):
        return _empty([s["label"] for s in params["strata"]])
    return _scan_span(params, data, len(head), len(data), risk).finish()


def scan_lines(
    params: Mapping, data: bytes, start: int, stop: int, risk: Mapping[str, str] | None = None,
) -> tuple[Population, bytes, bytes] | None:
    """The fast path over the rows ``data[start:stop]`` of ``directory.csv`` (``start`` at the
    start of a row after the header, ``stop`` just after an LF): its :class:`Population` and
    the first and last code of those rows (so that a caller can check the order across spans,
    see :func:`merge`); ``None`` when the fast path declines (the caller then scans the whole
    file with :func:`scan_directory`, which gives the exact error or the same record)."""
    if not 0 < start < stop <= len(data) or data[start - 1:start] != b"\n" or data[stop - 1:stop] != b"\n":
        return None
    try:
        scanner = _scan_span(params, data, start, stop, risk or {})
    except _Decline:
        return None
    return scanner.finish(), scanner.first, scanner.last


def merge(labels: list[str], parts: Iterable[Population]) -> Population:
    """The population of consecutive spans of one file (each from :func:`scan_lines`), equal
    to the scan of the whole (units numbered in order of first appearance)."""
    pop = _empty(labels)
    unit_idx: dict[str, int] = {}
    for part in parts:
        remap = []
        for name in part.unit_names:
            if name not in unit_idx:
                unit_idx[name] = len(pop.unit_names)
                pop.unit_names.append(name)
            remap.append(unit_idx[name])
        pop.records += part.records
        pop.stratum.extend(part.stratum)
        if remap == list(range(len(remap))):
            pop.unit.extend(part.unit)
        else:
            pop.unit.extend(array("I", map(remap.__getitem__, part.unit)))
        for (u, s), n in part.per_unit.items():
            pop.per_unit[(remap[u], s)] += n
        pop.n_before = [a + b for a, b in zip(pop.n_before, part.n_before, strict=True)]
        pop.rows += part.rows
    return pop


def _scan_span(params: Mapping, data: bytes, start: int, stop: int, risk: Mapping[str, str]) -> _Scanner:
    scanner = _Scanner(params, risk)
    pos = start
    while pos < stop:
        end = stop - 1 if pos + _CHUNK >= stop else data.index(b"\n", pos + _CHUNK)
        scanner.feed(data[pos:end])
        pos = end + 1
    return scanner


# Bytes that may stand in a field without any further check (speed only): printable ASCII but
# the quote, LF, UTF-8 continuation bytes, and the lead bytes E4–E9 (U+4000–U+9FFF: CJK
# ideographs, no decomposition, combining class 0). In valid UTF-8 every character starts with
# a lead byte, so a chunk without any other byte holds only characters that are NFC in any
# sequence, neither control, format nor white space but U+0020.
# ``tests/test_protocol_fastscan.py`` checks these claims against ``unicodedata``.
SAFE_BYTES = bytes([0x0A] + [b for b in range(0x20, 0x7F) if b != 0x22] + list(range(0x80, 0xC0))
                   + list(range(0xE4, 0xEA)))
# The same over decoded text, a few more blocks (CJK punctuation, full-width forms).
SAFE_CHARS = "\n !#-~\u3001-\u3029\u4000-\u9fff\uff01-\uff5e"
_UNSAFE_RE = re.compile(f"[^{SAFE_CHARS}]")
_EDGE_SPACE_RE = re.compile(rb"(?:^|[,\n]) | (?:[,\n]|$)")
# §13 grammar of a code, position by position (the check character is of the alphabet too).
_ALPHABET = USCC_ALPHABET.encode("ascii")
_CODE_BYTES = [_ALPHABET] * 2 + [b"0123456789"] * 6 + [_ALPHABET] * 10
# GB 32100, one byte per code: position i < 17 maps a character of value v to v·3^i mod 31, the
# check character to its value; a code is valid ⇔ the 18 bytes sum to 0 (mod 31).
_WEIGHTED = [bytes.maketrans(_ALPHABET, bytes(v * w % 31 for v in range(31))) for w in USCC_WEIGHTS]
_WEIGHTED.append(bytes.maketrans(_ALPHABET, bytes(range(31))))
_MOD31 = bytes(b % 31 for b in range(256))


def codes_valid(joined: bytes, n: int) -> bool:
    """Whether ``joined`` is ``n`` codes of the §13 grammar with valid GB 32100 check characters,
    LF between them (speed only: the same verdict as :func:`.encoding.is_uscc` on each).

    Column-wise over the codes with C-level byte operations: position i of every code is
    ``joined[i::19]``; the weighted values of the 18 positions are added lane-wise in one big
    integer (one byte per code; reduced mod 31 before a lane could exceed 255)."""
    if n <= 0 or len(joined) != 19 * n - 1 or joined[18::19] != b"\n" * (n - 1):
        return False
    for i, allowed in enumerate(_CODE_BYTES):
        if joined[i::19].translate(None, allowed):
            return False
    total = 0
    for i, table in enumerate(_WEIGHTED):
        total += int.from_bytes(joined[i::19].translate(table), "big")
        if i in (7, 14):  # at most 8·30 = 240, then 30 + 7·30 = 240, then 30 + 3·30 = 120
            total = int.from_bytes(total.to_bytes(n, "big").translate(_MOD31), "big")
    return total.to_bytes(n, "big").translate(_MOD31).count(0) == n


class _Scanner:
    """The fast path's state over consecutive chunks of rows of one ``directory.csv``.

    Each chunk is cut by C-level operations on bytes: one split at commas, each LF kept at the
    start of the next row's first field (with the codes found between every two LFs and 7·rows
    fields, every row has exactly 7 fields); the codes checked by :func:`codes_valid`; one byte
    translation (:data:`SAFE_BYTES`, then :data:`SAFE_CHARS`) that shows every text field valid,
    else each distinct value of a column is checked once by :func:`.canonical.parse_field`; the
    dates checked once per distinct value; strata memoised on the values of the columns the
    conditions name, comma-joined (values hold no comma).
    """

    def __init__(self, params: Mapping, risk: Mapping[str, str]) -> None:
        self.params = params
        self.risk = risk
        self.labels = [s["label"] for s in params["strata"]]
        self.index = {label: j for j, label in enumerate(self.labels)}
        conditions = list(params["population"]) + [c for s in params["strata"] for c in s["when"]]
        self.used = sorted({_COLUMNS.index(c["column"]) for c in conditions})
        self.names = [_COLUMNS[i] for i in self.used]
        self.kinds = [kind for _, kind in SCHEMAS["directory.csv"]]
        self.accepted: list[set[bytes]] = [set() for _ in self.kinds]
        self.memo: dict[bytes, int] = {}  # the used columns' values, comma-joined → stratum or -1
        self.unit_idx: dict[bytes, int] = {}
        self.pop = _empty(self.labels)
        self.counts: Counter = Counter()  # unit index × strata + stratum index → members
        self.first = b""
        self.last = b""

    def feed(self, raw: bytes) -> None:
        """One chunk: whole rows, LF between them, none at the end."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _Decline from None
        plain = not raw.translate(None, SAFE_BYTES) or _UNSAFE_RE.search(text) is None
        del text
        if plain and b" " in raw and _EDGE_SPACE_RE.search(raw) is not None:
            plain = False
        rows = raw.count(b"\n") + 1
        flat = raw.replace(b"\n", b",\n").split(b",")
        if len(flat) != 7 * rows:
            raise _Decline
        cols = [flat[c::7] if c in (0, 4, 5) or c in self.used or not plain else None for c in range(7)]
        del flat
        # code column: each field after the first starts with the LF that ends the row before.
        codes = cols[0]
        joined = b"".join(codes)
        if not codes_valid(joined, rows):
            raise _Decline
        first = codes[0]
        if self.last and not self.last < first:
            raise _Decline
        if rows > 1 and not (first < codes[1][1:] and all(map(lt, codes[1:], codes[2:]))):
            raise _Decline
        if not self.first:
            self.first = first
        self.last = codes[-1].lstrip(b"\n")
        # every other column: each distinct value checked once by the reference field rule
        for c in range(1, 7):
            if plain and self.kinds[c] == "text":
                continue
            seen = self.accepted[c]
            for value in set(cols[c]) - seen:
                try:
                    parse_field(self.kinds[c], value.decode("utf-8"))
                except ValueError:
                    raise _Decline from None
                if len(seen) < _ACCEPTED_MAX:
                    seen.add(value)
        self.pop.rows += rows
        strata = self._strata(cols, joined)
        units = cols[4]
        if -1 in strata:  # keep the population members
            mask = list(map((-1).__ne__, strata))
            codes = list(compress(codes, mask))
            strata = list(compress(strata, mask))
            units = list(compress(units, mask))
        if not codes:
            return
        unit_idx, names = self.unit_idx, self.pop.unit_names
        try:
            units = list(map(unit_idx.__getitem__, units))
        except KeyError:
            for unit in dict.fromkeys(units):  # unit indices in order of first appearance
                if unit not in unit_idx:
                    unit_idx[unit] = len(names)
                    names.append(unit.decode("utf-8"))
            units = list(map(unit_idx.__getitem__, units))
        records = b"".join(codes)
        if records.startswith(b"\n"):
            records = records[1:]
        self.pop.records += records.replace(b"\n", b"\x01") + b"\x01"
        self.pop.stratum.extend(strata)
        self.pop.unit.extend(units)
        width = len(self.labels)
        self.counts.update(map(add, map(mul, units, repeat(width)), strata) if width > 1 else units)

    def _strata(self, cols: list, joined: bytes) -> list[int]:
        """Stratum index per row (-1: not a member): the label depends only on the columns the
        conditions name (:func:`.params.labeller`)."""
        named = [cols[i] if i < 7 else self._risk(joined) for i in self.used]
        if not named:
            keys: Iterable[bytes] = repeat(b"", len(cols[0]))
        else:
            keys = named[0]
            for col in named[1:]:  # values hold no comma: the joined key is unambiguous
                keys = list(map(add, map(add, keys, repeat(b",")), col))
        memo = self.memo
        try:
            return list(map(memo.__getitem__, keys))
        except KeyError:
            pass
        if len(memo) > _LABEL_MEMO_MAX:
            memo.clear()
        keys = list(keys) if named else [b""] * len(cols[0])
        for key in set(keys) - memo.keys():
            values = key.decode("utf-8").split(",") if named else []
            label = stratum_of(self.params, dict(zip(self.names, values, strict=True)))
            memo[key] = -1 if label is None else self.index[label]
        return list(map(memo.__getitem__, keys))

    def _risk(self, joined: bytes) -> list[bytes]:
        get = self.risk.get
        return [get(code, "").encode("utf-8") for code in joined.decode("ascii").split("\n")]

    def finish(self) -> Population:
        pop, width = self.pop, len(self.labels)
        for key, n in self.counts.items():
            u, s = divmod(key, width)
            pop.per_unit[(u, s)] += n
            pop.n_before[s] += n
        self.counts = Counter()
        return pop
