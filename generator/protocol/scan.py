"""One validated scan of ``directory.csv`` per operation (PROTOCOL §2, §3, §6.3–§6.4).

:func:`scan_directory` checks the canonical bytes once — exactly what
:func:`.canonical.iter_rows` accepts — and keeps a compact record of the population
(:class:`Population`): per member its code, stratum and unit, per stratum ``N_before``, and
per (unit, stratum) the member count. ``announce``, ``commit_refusals``, ``draw`` and
``verify_task`` all work from that record, so the directory is parsed once per operation.

Speed only: the fast path works a few MiB at a time with whole-chunk C operations (UTF-8
decoding, splitting, one regular expression over the chunk's codes, column-wise sets of the
distinct values of each column checked once with :func:`.canonical.parse_field`). Whatever it
does not accept it hands to the reference path (``iter_rows`` + ``assign_strata``), which then
raises the exact error of ``iter_rows`` — or, if the fast path was merely cautious, returns the
same record. ``tests/test_protocol_scan.py`` checks both paths against the per-pass functions
of :mod:`.derive`.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress, repeat
from operator import lt

from .canonical import SCHEMAS, header, iter_rows, parse_csv, parse_field
from .encoding import USCC_ALPHABET
from .params import DIRECTORY_COLUMNS, assign_strata, stratum_of
from .selection import k_of

RECORD = 19  # bytes per member in Population.records: the 18 ASCII code bytes, then 0x01
_CHUNK = 1 << 22  # bytes of directory.csv per fast-path chunk
_ACCEPTED_MAX = 65_536  # distinct accepted values remembered per column
_LABEL_MEMO_MAX = 65_536
_G = "[0-9A-HJ-NPQRTUWXY]"
_CODES_RE = re.compile(f"(?:{_G}{{2}}[0-9]{{6}}{_G}{{10}},)*")  # §13 grammar, each code + ","
_TO_BASE34 = str.maketrans(USCC_ALPHABET, "0123456789abcdefghijklmnopqrstu")
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
    population (``params`` valid; ``risk``: {code: risk class}, absent codes → ``""``)."""
    try:
        return _fast(params, data, risk or {})
    except _Decline:
        return scan_reference(params, data, risk)


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
    labels = [s["label"] for s in params["strata"]]
    pop = _empty(labels)
    conditions = list(params["population"]) + [c for s in params["strata"] for c in s["when"]]
    used = sorted({_COLUMNS.index(c["column"]) for c in conditions})
    names = [_COLUMNS[i] for i in used]
    index = {label: j for j, label in enumerate(labels)}
    kinds = [kind for _, kind in SCHEMAS["directory.csv"]]
    accepted: list[set[str]] = [set() for _ in kinds]
    memo: dict[tuple, int] = {}
    unit_idx: dict[str, int] = {}
    prev: str | None = None
    pos, size = len(head), len(data)
    while pos < size:
        end = size - 1 if pos + _CHUNK >= size else data.index(b"\n", pos + _CHUNK)
        try:
            text = data[pos:end].decode("utf-8")
        except UnicodeDecodeError:
            raise _Decline from None
        pos = end + 1
        if set(map(str.count, text.split("\n"), repeat(","))) != {6}:  # 7 fields on every line
            raise _Decline
        flat = text.replace("\n", ",").split(",")
        del text
        cols = [flat[c::7] for c in range(7)]
        del flat
        codes = cols[0]
        # code column: the §13 grammar by one regex, the GB 32100 check character per code
        joined = ",".join(codes) + ","
        if _CODES_RE.fullmatch(joined) is None:
            raise _Decline
        rev = joined[::-1].translate(_TO_BASE34).split(",")  # each code reversed; order reversed
        want = "".join([USCC_ALPHABET[-int(r[1:], 34) % 31] for r in rev[1:]])
        if want[::-1] != joined[17::19]:
            raise _Decline
        # strictly ascending codes (18 ASCII characters each: str order = byte order)
        if (prev is not None and not prev < codes[0]) or not all(map(lt, codes, codes[1:])):
            raise _Decline
        prev = codes[-1]
        # every other column: each distinct value checked once by the reference field rule
        for c in range(1, len(kinds)):
            seen = accepted[c]
            for value in set(cols[c]) - seen:
                try:
                    parse_field(kinds[c], value)
                except ValueError:
                    raise _Decline from None
                if len(seen) < _ACCEPTED_MAX:
                    seen.add(value)
        pop.rows += len(codes)
        # strata: the label depends only on the columns the conditions name (params.labeller)
        named = [cols[i] if i < 7 else tuple(risk.get(code, "") for code in codes) for i in used]
        keys = list(zip(*named, strict=True)) if named else [()] * len(codes)
        if len(memo) > _LABEL_MEMO_MAX:
            memo.clear()
        for key in set(keys) - memo.keys():
            label = stratum_of(params, dict(zip(names, key, strict=True)))
            memo[key] = -1 if label is None else index[label]
        strata = list(map(memo.__getitem__, keys))
        del keys, named
        units = cols[4]
        if -1 in strata:  # keep the population members
            mask = [s >= 0 for s in strata]
            codes = list(compress(codes, mask))
            strata = list(compress(strata, mask))
            units = list(compress(units, mask))
        for unit in dict.fromkeys(units):  # unit indices in order of first appearance
            if unit not in unit_idx:
                unit_idx[unit] = len(pop.unit_names)
                pop.unit_names.append(unit)
        units = list(map(unit_idx.__getitem__, units))
        if codes:
            pop.records += ("\x01".join(codes) + "\x01").encode("ascii")
        pop.stratum.extend(strata)
        pop.unit.extend(units)
        pop.per_unit.update(zip(units, strata, strict=True))
        for s, n in Counter(strata).items():
            pop.n_before[s] += n
    return pop
