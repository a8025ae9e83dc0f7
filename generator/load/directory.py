"""data/directory/*.csv|xlsx: the 检查对象名录库.

The credit-risk class (信用风险分类 and its aliases) goes to ``Enterprise.internal['risk']`` only:
never to a public field. Codes are normalised (NFKC, upper case, no spaces) and validated with
python-stdnum; an invalid code is an error naming file, row, column and value, and the row is
left out of the model. A code appearing twice is an error naming both rows.

A province's directory has millions of rows, so the files are read in batches of rows and
checked column by column (a batch's valid codes at once with numpy, each distinct unit or date
text once); the rows that fail a fast check get the row-by-row treatment, with the very same
findings in the very same order as reading row by row would give. The result is a
:class:`~.directory_table.DirectoryTable`, a ``Mapping[str, Enterprise]`` stored column-wise.
"""

from __future__ import annotations

import operator
import os
import unicodedata
from itertools import compress
from pathlib import Path

import numpy as np

from ..findings import ERROR, WARNING, Finding
from ..model import Origin, Portal, Unit
from ..protocol.encoding import USCC_ALPHABET, USCC_WEIGHTS
from . import headers as H
from .base import (
    LoadContext,
    code_message,
    code_problem,
    compact_code,
    resolve_unit,
    text,
)
from .cache import LoadCache, content_key, dependency_digest, file_digest, stats, unchanged
from .dates import DATE_FORMS, parse_date
from .directory_table import CODE_WIDTH, CategoriesBuilder, DirectoryTable, StringsBuilder
from .records import CONTROL, _controls, _merged, report_headers
from .tabular import TableError, open_table, table_files

REQUIRED = ("code", "name", "entity_type", "industry", "unit", "registered", "status")
BATCH = 1 << 15
CATEGORY_FIELDS = ("entity_type", "industry", "industry_risk", "unit", "status", "risk")

# A valid code: 8 digits then 10 characters of the alphabet, check = (31 - Σ value·weight) mod 31.
_LUT = np.full(256, 99, np.int64)
for _i, _c in enumerate(USCC_ALPHABET):
    _LUT[ord(_c)] = _i
_W = np.array(USCC_WEIGHTS, np.int64)
_CHECK = np.frombuffer(USCC_ALPHABET.encode("ascii"), np.uint8)


def valid_codes(codes: list[str]) -> np.ndarray:
    """Boolean mask: which texts are valid compact codes (``code_problem(c) is None`` and
    ``compact_code(c) == c``), computed for all at once. False means: look closer."""
    n = len(codes)
    ok = np.fromiter(map(len, codes), np.int64, n) == CODE_WIDTH
    if not ok.any():
        return ok
    idx = np.flatnonzero(ok)
    raw = "".join(compress(codes, ok)).encode("ascii", "replace")  # one byte per character
    chars = np.frombuffer(raw, np.uint8).reshape(-1, CODE_WIDTH)
    vals = _LUT[chars]
    good = (vals[:, :8] < 10).all(axis=1) & (vals[:, 8:] < 31).all(axis=1)
    total = vals[:, :17] @ _W
    good &= chars[:, 17] == _CHECK[(31 - total % 31) % 31]
    ok[idx[~good]] = False
    return ok


class _Sink:
    """Findings of one file, each with its place (row, stage) in row-by-row order."""

    def __init__(self, file_no: int) -> None:
        self.file_no = file_no
        self.items: list[tuple[tuple, Finding]] = []
        self.key: tuple = (0, 0)

    def error(self, rule: str, message: str, origin: Origin | None, **kw) -> None:
        self.items.append(((self.file_no, *self.key), Finding.at(ERROR, rule, message, origin, **kw)))

    def warning(self, rule: str, message: str, origin: Origin | None, **kw) -> None:
        self.items.append(((self.file_no, *self.key), Finding.at(WARNING, rule, message, origin, **kw)))


class _Columns:
    """The valid rows read so far, column by column."""

    def __init__(self) -> None:
        self.codes = bytearray()
        self.names = StringsBuilder()
        self.addresses = StringsBuilder()
        self.cats = {f: CategoriesBuilder() for f in CATEGORY_FIELDS}
        self.registered: list[np.ndarray] = []
        self.file_index: list[np.ndarray] = []
        self.rows: list[np.ndarray] = []

    def _parts(self):
        return (self.codes, self.registered, self.file_index, self.rows)  # codes: a bytearray

    def mark(self) -> tuple:
        return (tuple(len(p) for p in self._parts()), self.names.mark(), self.addresses.mark(),
                {f: b.mark() for f, b in self.cats.items()})

    def rollback(self, mark: tuple) -> None:
        lens, names, addresses, cats = mark
        for part, n in zip(self._parts(), lens, strict=True):
            del part[n:]
        self.names.rollback(names)
        self.addresses.rollback(addresses)
        for f, b in self.cats.items():
            b.rollback(cats[f])


def load_directory(
    ctx: LoadContext, portal: Portal | None, cache: LoadCache | None = None
) -> DirectoryTable:
    """The directory; with a ``cache``, the table and findings of the last load whose files had
    the same bytes (all files together: the duplicate check spans files)."""
    files = table_files(ctx.data_dir / "directory")
    units = portal.units if portal else ()
    before = stats(files)
    try:
        digest = content_key("directory", [(ctx.rel(p), file_digest(p)) for p in files],
                             dependency_digest(units))
    except OSError:  # reading the file fails below, as without a cache
        digest, before = os.urandom(32).hex(), None
    if cache is not None and before is not None:
        found, table = cache.recall(ctx, "directory", digest)
        if found:
            return table
    since = len(ctx.findings)
    table = _load_directory(ctx, files, units)
    table.digest = digest
    if cache is not None and before is not None and unchanged(files, before):
        cache.remember(ctx, "directory", digest, table, since)
    return table


def _load_directory(ctx: LoadContext, files: list[Path], units: tuple[Unit, ...]) -> DirectoryTable:
    if not files:
        ctx.error("schema.file", "没有检查对象名录库：data/directory/ 下应有 .csv 或 .xlsx 文件",
                  Origin("directory/"), fix="把名录库导出为 CSV 或 XLSX 放入 data/directory/。")
    cols = _Columns()
    rels = [ctx.rel(p) for p in files]
    found: list[tuple[tuple, Finding]] = []
    columns_of: list[dict[str, str]] = []
    for file_no, path in enumerate(files):
        sink = _Sink(file_no)
        mark = cols.mark()
        try:
            columns = _load_file(sink, path, rels[file_no], units, cols, file_no)
        except TableError as exc:
            cols.rollback(mark)
            sink.items.clear()
            sink.key = (-2, 0)
            sink.error("schema.file", str(exc), Origin(rels[file_no]),
                       fix="按提示另存文件后重新运行 gongshi check。")
            columns = {}
        found += sink.items
        columns_of.append(columns)

    codes = np.frombuffer(cols.codes, f"S{CODE_WIDTH}")
    file_index = np.concatenate(cols.file_index) if cols.file_index else np.zeros(0, np.int16)
    rows = np.concatenate(cols.rows) if cols.rows else np.zeros(0, np.int32)
    registered = np.concatenate(cols.registered) if cols.registered else np.zeros(0, np.int32)
    names, addresses = cols.names.build(), cols.addresses.build()
    cats = {f: b.build() for f, b in cols.cats.items()}

    keep = _duplicates(codes, file_index, rows, rels, columns_of, found)
    if keep is not None:
        codes, file_index, rows, registered = (a[keep] for a in (codes, file_index, rows, registered))
        names, addresses = names.take(keep), addresses.take(keep)
        for c in cats.values():
            c.codes = c.codes[keep]
    found.sort(key=operator.itemgetter(0))
    ctx.findings.extend(f for _, f in found)
    return DirectoryTable(codes, names, addresses, cats, registered, rels, file_index, rows)


def _duplicates(codes, file_index, rows, rels, columns_of, found) -> np.ndarray | None:
    """Report every repeat of a code (naming the first row that has it); the rows to keep, or
    None when there is no repeat."""
    if len(codes) < 2:
        return None
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    repeat = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
    if not len(repeat):
        return None
    keep = np.ones(len(codes), bool)
    firsts = {}
    for j in repeat.tolist():
        first = firsts.get(j - 1, order[j - 1])
        firsts[j] = first
        i = int(order[j])
        keep[i] = False
        f_no, row = int(file_index[i]), int(rows[i])
        where = f"{rels[file_index[first]]} 第 {int(rows[first])} 行"
        header = columns_of[f_no].get("code")
        found.append(((f_no, row, 9), Finding.at(
            ERROR, "duplicates.code", f"统一社会信用代码重复：已出现在 {where}",
            Origin(rels[f_no], row, header), column=header or H.canonical(H.DIRECTORY, "code"),
            value=codes[i].decode("ascii"),
            fix="同一企业只能在名录库中出现一次，请删除或合并重复的行。")))
    return keep


def _load_file(sink: _Sink, path, rel: str, units, cols: _Columns, file_no: int) -> dict[str, str]:
    """Read one file into ``cols``; its findings into ``sink``. The header as written of each
    field found. A :class:`TableError` (also one found late in the file) leaves the caller to
    drop whatever was read of the file."""
    table = H.DIRECTORY
    stream = open_table(path)
    headers = stream.headers
    found, unknown, dups = H.match_headers(table, headers, ())
    sink.key = (-2, 0)
    if not report_headers(sink, rel, table, headers, found, unknown, dups, REQUIRED, "名录库"):
        for _ in stream.batches():  # read on: a file that cannot be read is reported as such
            pass
        return {}
    columns = {fld: headers[i] for fld, i in found.items()}
    units_cache: dict[str, str | None] = {}
    dates_cache: dict[str, object] = {}
    for start, batch in stream.batches(BATCH):
        _batch(sink, rel, start, batch, found, columns, units, units_cache, dates_cache, cols,
               file_no, stream.encoding != "xlsx")
    sink.key = (-1, 0)
    for ref in stream.merged:
        _merged(sink, rel, headers, ref)
    return columns


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _texts(values: tuple, strings: bool) -> list[str]:
    """``[text(v) for v in values]``, quicker for the usual column of NFC strings."""
    if (strings or all(type(v) is str for v in values)) \
            and unicodedata.is_normalized("NFC", "\0".join(values)):
        return list(map(str.strip, values))
    return list(map(text, values))


def _batch(sink, rel, start, batch, found, columns, units, units_cache, dates_cache, cols,
           file_no, strings) -> None:
    """One batch of rows; ``strings``: every cell is a str (CSV)."""
    fields = list(found)
    width = max(found.values()) + 1
    records = batch
    if min(map(len, batch)) < width:
        records = [tuple(r) + (None,) * (width - len(r)) if len(r) < width else r for r in batch]
        strings = False  # the cells beyond a short row read as None
    getter = operator.itemgetter(*(found[f] for f in fields))
    raw = dict(zip(fields, zip(*map(getter, records), strict=True), strict=True))
    row_nos = list(range(start, start + len(batch)))
    # blank rows (every cell empty or white space, also the cells of unknown columns) are
    # skipped; a row whose code cell holds text is not blank
    code_raw = raw["code"]
    if strings:
        maybe = [k for k, c in enumerate(map(str.strip, code_raw)) if not c]
    else:
        maybe = [k for k, c in enumerate(code_raw) if c is None or (isinstance(c, str) and not c.strip())]
    blank = [k for k in maybe if _blank(batch[k])]
    if blank:
        drop = set(blank)
        kept = [k for k in range(len(batch)) if k not in drop]
        if not kept:
            return
        raw = {f: tuple(vals[k] for k in kept) for f, vals in raw.items()}
        row_nos = [row_nos[k] for k in kept]
        strings = strings and all(type(v) is str for vals in raw.values() for v in vals)
    n = len(row_nos)

    def col(fld: str) -> str:
        return columns.get(fld) or H.canonical(H.DIRECTORY, fld)

    def origin(k: int, fld: str | None = None) -> Origin:
        return Origin(rel, row_nos[k], columns.get(fld) if fld else None)

    # invisible characters (warnings; the row is kept)
    if any(CONTROL.search("".join(vals if strings else (v for v in vals if isinstance(v, str))))
           for vals in raw.values()):
        for k in range(n):
            values = {f: raw[f][k] for f in fields}
            if CONTROL.search("".join(v for v in values.values() if isinstance(v, str))):
                sink.key = (row_nos[k], 0)
                _controls(sink, rel, row_nos[k], values, columns)

    bad = np.zeros(n, bool)
    # codes
    raw_codes = _texts(raw["code"], strings)
    fast = valid_codes(raw_codes)
    codes = raw_codes
    if not fast.all():
        codes = list(raw_codes)
        for k in np.flatnonzero(~fast).tolist():
            code = compact_code(raw_codes[k])
            codes[k] = code
            problem = code_problem(code) if code else "统一社会信用代码为空"
            if problem:
                sink.key = (row_nos[k], 1)
                message, fix = code_message(raw_codes[k], code, problem)
                sink.error("uscc.checksum" if "校验位" in problem else "uscc.format", message,
                           origin(k, "code"), column=col("code"), value=raw_codes[k], fix=fix)
                bad[k] = True
    # required texts
    texts = {}
    for stage, fld in enumerate(("name", "entity_type", "industry", "status"), start=2):
        values = texts[fld] = _texts(raw[fld], strings)
        for k in compress(range(n), map(operator.not_, values)):
            sink.key = (row_nos[k], stage)
            sink.error("schema.required", f"「{col(fld)}」不能为空", origin(k, fld), column=col(fld),
                       fix="填写该单元格。")
            bad[k] = True
    # unit
    unit_raw = _texts(raw["unit"], strings)
    for v in set(unit_raw).difference(units_cache):
        units_cache[v] = resolve_unit(units, v) if v else None
    unit = list(map(units_cache.__getitem__, unit_raw))
    for k in [k for k, u in enumerate(unit) if u is None]:
        sink.key = (row_nos[k], 6)
        sink.error("references.unit", f"所属监管所「{unit_raw[k]}」不在 portal.yaml 的「单位」中",
                   origin(k, "unit"), column=col("unit"), value=unit_raw[k],
                   fix="填写 portal.yaml 中某个单位的编号或名称，或在 portal.yaml 中补充该单位。")
        bad[k] = True
    # registered
    dates = raw["registered"]
    if strings:
        for v in set(dates).difference(dates_cache):
            dates_cache[v] = _date(v)
        got = list(map(dates_cache.__getitem__, dates))
    else:
        got = [dates_cache[v] if type(v) is str and v in dates_cache else _date(v) for v in dates]
    failed = [k for k, g in enumerate(got) if type(g) is str]
    for k in failed:
        sink.key = (row_nos[k], 7)
        sink.error("schema.date", got[k], origin(k, "registered"), column=col("registered"),
                   value=text(dates[k]), fix=f"日期写作 {DATE_FORMS}。")
        bad[k] = True
        got[k] = 0
    registered = np.array(got, np.int32)

    optional = {f: _texts(raw[f], strings) if f in raw else [""] * n
                for f in ("industry_risk", "address", "internal:risk")}
    ok = ~bad
    every = bool(ok.all())

    def good(values: list) -> list:
        return values if every else list(compress(values, ok))

    cols.codes += "".join(good(codes)).encode("ascii")
    cols.names.extend(good(texts["name"]))
    cols.addresses.extend(good(optional["address"]))
    for fld, values in (("entity_type", texts["entity_type"]), ("industry", texts["industry"]),
                        ("industry_risk", optional["industry_risk"]), ("unit", unit),
                        ("status", texts["status"]), ("risk", optional["internal:risk"])):
        cols.cats[fld].extend(good(values))
    cols.registered.append(registered if every else registered[ok])
    m = int(ok.sum())
    cols.file_index.append(np.full(m, file_no, np.int16))
    cols.rows.append(np.array(good(row_nos), np.int32))


def _date(value: object) -> int | str:
    """The day number of a date cell, or the Chinese message why it is no date."""
    try:
        return parse_date(value).toordinal()
    except ValueError as exc:
        return str(exc)
