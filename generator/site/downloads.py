"""Downloadable files: the published bundle (PROTOCOL §11), verify.py and open data.

Returns ``{site path: bytes}``; the plugin adds them to the MkDocs build as static files. CSV is
UTF-8 with BOM for Excel; cells that a spreadsheet would read as a formula are prefixed with
``'`` (CSV injection). JSON has sorted keys, with ``<``, ``>`` and ``&`` escaped for HTML
contexts; the results files hold one record per line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path

from ..model import Inspector, Model, Task
from . import labels
from . import view as v

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
RESULT_COLUMNS = [
    ("task", "任务编号"), ("task_title", "任务名称"), ("code", "统一社会信用代码"),
    ("name", "企业名称"), ("authority", "检查实施机关"), ("type", "类型"),
    ("inspected", "检查日期"), ("completed", "完成日期"), ("results", "检查结果"),
    ("result_codes", "检查结果代码"), ("followups", "后续处置"), ("note", "备注"),
    ("inspectors", "检查人员"),
]


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def _inspectors(model: Model) -> dict[str, Inspector]:
    """``model.inspector`` as one dictionary (it scans the roster per call): first one wins."""
    out: dict[str, Inspector] = {}
    for insp in model.inspectors:
        out.setdefault(insp.id.lower(), insp)
    return out


def result_records(model: Model, tv: v.TaskView,
                   inspectors: dict[str, Inspector] | None = None) -> list[dict]:
    if not tv.published:
        return []
    if inspectors is None:
        inspectors = _inspectors(model)
    groups = {line.code: line.inspector_ids for line in tv.listing or ()}
    out = []
    for r in sorted(tv.results or (), key=lambda r: r.code):
        ent = model.enterprises.get(r.code)
        names = []
        for pid in groups.get(r.code, ()):
            insp = inspectors.get(pid.lower())
            names.append(f"{insp.name}（{insp.badge}）" if insp else pid)
        out.append({
            "task": tv.task.id, "task_title": tv.task.title, "code": r.code,
            "name": ent.name if ent else "", "authority": model.portal.office_name,
            "type": "双随机抽查（" + labels.directed(tv.task) + "）",
            "inspected": r.inspected.isoformat(), "completed": r.completed.isoformat(),
            "results": labels.results(model, r.results), "result_codes": ";".join(r.results),
            "followups": labels.followups(model, r.followups), "note": r.note,
            "inspectors": "、".join(names),
        })
    return out


def _csv_rows(records: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    for rec in records:
        writer.writerow([_cell(str(rec[key])) for key, _ in RESULT_COLUMNS])
    return buf.getvalue()


def _csv_file(rows: str) -> bytes:
    """UTF-8 with BOM (for Excel), the header row, then ``rows``."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow([title for _, title in RESULT_COLUMNS])
    return b"\xef\xbb\xbf" + (buf.getvalue() + rows).encode("utf-8")


def to_csv(records: list[dict]) -> bytes:
    return _csv_file(_csv_rows(records))


def _json_safe(text: str) -> str:
    # "<", ">" and "&" escaped so the bytes are safe if ever inlined into HTML
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_json(obj: object) -> bytes:
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1)
    return (_json_safe(text) + "\n").encode("utf-8")


def _json_list(lines: list[str]) -> bytes:
    """A JSON array written one element per line (each line encoded once, in C)."""
    if not lines:
        return b"[]\n"
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode("utf-8")


def task_records(view: v.PublicView) -> list[dict]:
    return [{
        "id": tv.task.id, "title": tv.task.title, "year": tv.task.year,
        "state": tv.state.value, "state_label": tv.state.label, "mode": tv.task.mode,
        "announce_date": tv.task.announce_date.isoformat(),
        "completion_date": tv.task.completion_date.isoformat() if tv.task.completion_date else None,
        "deadline": tv.deadline.isoformat() if tv.deadline else None,
        "publication": tv.publication.kind,
        "publication_label": labels.PUBLICATION[tv.publication.kind][0],
        "published_on": (tv.publication.published_on.isoformat()
                         if tv.publication.published_on else None),
        "workdays_late": tv.publication.workdays_late,
        "reassign_count": tv.reassign_count,
        "files": sorted(tv.files),
        "stored": {n: list(f.paths) for n, f in sorted(tv.stored.items())},
    } for tv in view.tasks]


def build_downloads(model: Model, view: v.PublicView) -> dict[str, bytes]:
    """The small downloads (bundles, log, verify.py, task list), given to MkDocs as files.
    The results files, the large ones, are written by :func:`write_results`."""
    out: dict[str, bytes] = {}
    for tv in view.tasks:
        for name, content in tv.files.items():
            out[f"draws/{tv.task.id}/{name}"] = content
    out.update(view.snapshots)  # inputs stored once, by hash (draws/snapshots.d/)
    out.update(view.log_files)
    if view.verify_py:
        out["verify.py"] = view.verify_py
    out["data/tasks.json"] = to_json(task_records(view))
    # the in-browser verifier's index of verifiable tasks
    out["draws/index.json"] = to_json({
        tv.task.id: {"mode": tv.task.mode, "files": sorted(tv.files),
                     "stored": {n: list(f.paths) for n, f in sorted(tv.stored.items())},
                     "announce": dict(tv.announce) if tv.announce else None,
                     "draw": dict(tv.draw) if tv.draw else None,
                     "reassign": [dict(e) for e in tv.reassign],
                     "publish": dict(tv.publish) if tv.publish else None,
                     "anchor": _anchor_record(tv.anchor)}
        for tv in view.tasks})
    return out


def _anchor_record(status) -> dict | None:
    """The anchor status the build computed (``tlog.anchors.anchor_status``), for the browser."""
    if status is None:
        return None
    return {"proven": status.proven, "label": status.label, "kind": status.kind,
            "time": status.time, "earliest": status.earliest,
            "detail": status.problem or status.warning or status.detail}


def _pair(value: str) -> tuple[str, str]:
    """``value`` as a CSV field (after :func:`_cell`, quoted as ``csv.writer`` quotes in its
    default dialect: only if it holds a comma, a double quote, CR or LF) and as a JSON string
    (as ``json.dumps(..., ensure_ascii=False)`` writes it; HTML escaping comes later)."""
    text = "'" + value if value.startswith(_FORMULA_START) else value
    if '"' in text or "," in text or "\n" in text or "\r" in text:
        text = '"' + text.replace('"', '""') + '"'
    return text, _JSON_STR(value)


def _braces(text: str) -> str:
    """``text`` as literal text of a ``str.format`` template."""
    return text.replace("{", "{{").replace("}", "}}")


#: The columns that vary within a task, in the order :class:`_Encoder` passes them.
_ROW_KEYS = ("code", "name", "inspected", "completed", "results", "result_codes", "followups",
             "note", "inspectors")


class _Encoder:
    """The records of :func:`result_records`, encoded straight to CSV rows and JSON lines: the
    same text as ``csv.writer`` over the :func:`_cell` values and as ``json.dumps`` (sorted keys,
    ``ensure_ascii=False``) of each record, without building the records. Values the same for a
    whole task are encoded into a per-task template; dates and the labels of result, follow-up
    and inspector tuples are encoded once per build."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.inspectors = _inspectors(model)
        self.authority = model.portal.office_name
        self.dates: dict[dt.date, tuple[str, str]] = {}
        self.results: dict[tuple[str, ...], tuple[str, str, str, str]] = {}
        self.followups: dict[tuple[str, ...], tuple[str, str]] = {}
        self.groups: dict[tuple[str, ...], tuple[str, str]] = {}

    def _date(self, day: dt.date) -> tuple[str, str]:
        out = self.dates[day] = _pair(day.isoformat())
        return out

    def _results(self, codes: tuple[str, ...]) -> tuple[str, str, str, str]:
        text, joined = _pair(labels.results(self.model, codes)), _pair(";".join(codes))
        out = self.results[codes] = (text[0], joined[0], text[1], joined[1])
        return out

    def _followups(self, codes: tuple[str, ...]) -> tuple[str, str]:
        out = self.followups[codes] = _pair(labels.followups(self.model, codes))
        return out

    def _group(self, ids: tuple[str, ...]) -> tuple[str, str]:
        names = []
        for pid in ids:
            insp = self.inspectors.get(pid.lower())
            names.append(f"{insp.name}（{insp.badge}）" if insp else pid)
        out = self.groups[ids] = _pair("、".join(names))
        return out

    def _templates(self, task: Task) -> tuple[str, str]:
        """The CSV row and the JSON line of ``task``'s records, the task's values filled in."""
        fixed = {"task": _pair(task.id), "task_title": _pair(task.title),
                 "authority": _pair(self.authority),
                 "type": _pair("双随机抽查（" + labels.directed(task) + "）")}
        slot = {key: "{" + str(n) + "}" for n, key in enumerate(_ROW_KEYS)}
        csv_row = ",".join(_braces(fixed[k][0]) if k in fixed else slot[k]
                           for k, _ in RESULT_COLUMNS)
        json_line = ", ".join(json.dumps(k) + ": " + (_braces(fixed[k][1]) if k in fixed
                                                      else slot[k])
                              for k in sorted(k for k, _ in RESULT_COLUMNS))
        return csv_row + "\r\n", "{{" + json_line + "}}"

    def task(self, tv: v.TaskView) -> tuple[str, str]:
        """(CSV rows, JSON lines joined with ``",\n"``, HTML-escaped) of a published task."""
        csv_row, json_line = self._templates(tv.task)
        csv_row_format, json_line_format = csv_row.format, json_line.format
        groups = {line.code: line.inspector_ids for line in tv.listing or ()}
        get_ent = self.model.enterprises.get
        dates, results, followups, group_cache = (self.dates, self.results, self.followups,
                                                  self.groups)
        rows, lines = [], []
        for r in sorted(tv.results or (), key=_CODE):
            code = r.code
            ent = get_ent(code)
            c_code, j_code = _pair(code)
            c_name, j_name = _pair(ent.name) if ent else _EMPTY
            c_ins, j_ins = dates.get(r.inspected) or self._date(r.inspected)
            c_com, j_com = dates.get(r.completed) or self._date(r.completed)
            c_res, c_codes, j_res, j_codes = results.get(r.results) or self._results(r.results)
            c_fol, j_fol = followups.get(r.followups) or self._followups(r.followups)
            c_note, j_note = _pair(r.note) if r.note else _EMPTY
            ids = groups.get(code, ())
            c_grp, j_grp = group_cache.get(ids) or self._group(ids)
            rows.append(csv_row_format(c_code, c_name, c_ins, c_com, c_res, c_codes, c_fol,
                                       c_note, c_grp))
            lines.append(json_line_format(j_code, j_name, j_ins, j_com, j_res, j_codes, j_fol,
                                          j_note, j_grp))
        return "".join(rows), _json_safe(",\n".join(lines))


_CODE = attrgetter("code")
_JSON_STR = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses
_EMPTY = ("", '""')
_CSV_HEAD = _csv_file("").decode("utf-8")  # BOM and header row


def _write_new(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file at ``path``: never into an existing file, which may be a
    hard link shared with a previous site."""
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def _link(src: Path, dst: Path, data: bytes) -> None:
    """``dst`` as a hard link of ``src`` (whose bytes are ``data``), or a copy."""
    try:
        if os.path.samefile(src, dst):
            return
    except OSError:
        pass  # no dst yet
    dst.unlink(missing_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        dst.write_bytes(data)


def _reused(folder: Path) -> tuple[bytes, bytes, bytes, bytes] | None:
    """(CSV file, JSON file, CSV rows, JSON lines) of a previous task folder, or None if it
    cannot be read or is not shaped as :func:`write_results` writes it."""
    try:
        csv_file = (folder / "results.csv").read_bytes()
        json_file = (folder / "results.json").read_bytes()
    except OSError:
        return None
    head = _CSV_HEAD.encode("utf-8")
    if not csv_file.startswith(head):
        return None
    if json_file == b"[]\n":
        body = b""
    elif json_file.startswith(b"[\n") and json_file.endswith(b"\n]\n") and len(json_file) > 5:
        body = json_file[2:-3]
    else:
        return None
    if bool(body) != (len(csv_file) > len(head)):  # rows in one file, none in the other
        return None
    return csv_file, json_file, csv_file[len(head):], body


def write_results(site_dir: Path, model: Model, view: v.PublicView,
                  reuse: Callable[[str], Path | None] | None = None) -> list[str]:
    """``data/<task>/results.{csv,json}`` per published task and ``data/results.{csv,json}``
    for the whole office, written straight into ``site_dir`` one task at a time (at province
    scale they hold hundreds of megabytes). Each record is encoded once: the whole-office files
    join the tasks' rows and lines. Returns the paths written, relative to ``site_dir``.

    ``reuse``: for a task id, the ``data/<task>/`` folder of a previous site whose two files are
    exactly what this call would write for that task (the caller knows it from fingerprints), or
    None. Those files are hard-linked (copied if linking fails) instead of encoded, and their
    rows and lines go into the whole-office files, which come out the same either way."""
    written = ["data/results.csv", "data/results.json"]
    data = site_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    encoder: _Encoder | None = None
    head = _CSV_HEAD.encode("utf-8")
    first = True
    for name in ("results.csv", "results.json"):
        (data / name).unlink(missing_ok=True)
    with open(data / "results.csv", "wb") as all_csv, \
            open(data / "results.json", "wb") as all_json:
        all_csv.write(head)
        for tv in view.tasks:
            if not tv.published:
                continue
            tid = tv.task.id
            folder = data / tid
            folder.mkdir(exist_ok=True)
            previous = reuse(tid) if reuse is not None else None
            old = _reused(previous) if previous is not None else None
            if old is not None:
                csv_file, json_file, rows, body = old
                _link(previous / "results.csv", folder / "results.csv", csv_file)
                _link(previous / "results.json", folder / "results.json", json_file)
            else:
                if encoder is None:
                    encoder = _Encoder(model)
                rows_text, lines = encoder.task(tv)
                rows, body = rows_text.encode("utf-8"), lines.encode("utf-8")
                _write_new(folder / "results.csv", head + rows)
                _write_new(folder / "results.json",
                           b"[\n" + body + b"\n]\n" if body else b"[]\n")
            written += [f"data/{tid}/results.csv", f"data/{tid}/results.json"]
            all_csv.write(rows)
            if body:
                all_json.write((b"[\n" if first else b",\n") + body)
                first = False
        all_json.write(b"[]\n" if first else b"\n]\n")
    return sorted(written)
