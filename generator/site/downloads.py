"""Downloadable files: the published bundle (PROTOCOL §11), verify.py and open data.

Returns ``{site path: bytes}``; the plugin adds them to the MkDocs build as static files. CSV is
UTF-8 with BOM for Excel; cells that a spreadsheet would read as a formula are prefixed with
``'`` (CSV injection). JSON has sorted keys, with ``<``, ``>`` and ``&`` escaped for HTML
contexts; the results files hold one record per line.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..model import Inspector, Model
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


def _json_line(record: dict) -> str:
    return _json_safe(json.dumps(record, ensure_ascii=False, sort_keys=True))


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
    } for tv in view.tasks]


def build_downloads(model: Model, view: v.PublicView) -> dict[str, bytes]:
    """The small downloads (bundles, log, verify.py, task list), given to MkDocs as files.
    The results files, the large ones, are written by :func:`write_results`."""
    out: dict[str, bytes] = {}
    for tv in view.tasks:
        for name, content in tv.files.items():
            out[f"draws/{tv.task.id}/{name}"] = content
    out.update(view.log_files)
    if view.verify_py:
        out["verify.py"] = view.verify_py
    out["data/tasks.json"] = to_json(task_records(view))
    # the in-browser verifier's index of verifiable tasks
    out["draws/index.json"] = to_json({
        tv.task.id: {"mode": tv.task.mode, "files": sorted(tv.files),
                     "announce": dict(tv.announce) if tv.announce else None,
                     "draw": dict(tv.draw) if tv.draw else None,
                     "reassign": [dict(e) for e in tv.reassign],
                     "publish": dict(tv.publish) if tv.publish else None}
        for tv in view.tasks})
    return out


def write_results(site_dir: Path, model: Model, view: v.PublicView) -> list[str]:
    """``data/<task>/results.{csv,json}`` per published task and ``data/results.{csv,json}``
    for the whole office, written straight into ``site_dir`` one task at a time (at province
    scale they hold hundreds of megabytes). Each record is encoded once: the whole-office files
    join the tasks' rows and lines. Returns the paths written, relative to ``site_dir``."""
    written = ["data/results.csv", "data/results.json"]
    (site_dir / "data").mkdir(parents=True, exist_ok=True)
    inspectors = _inspectors(model)
    first = True
    with open(site_dir / "data/results.csv", "wb") as all_csv, \
            open(site_dir / "data/results.json", "wb") as all_json:
        all_csv.write(_csv_file(""))
        for tv in view.tasks:
            records = result_records(model, tv, inspectors)
            if not tv.published:
                continue
            rows = _csv_rows(records)
            lines = [_json_line(rec) for rec in records]
            folder = site_dir / "data" / tv.task.id
            folder.mkdir(exist_ok=True)
            (folder / "results.csv").write_bytes(_csv_file(rows))
            (folder / "results.json").write_bytes(_json_list(lines))
            written += [f"data/{tv.task.id}/results.csv", f"data/{tv.task.id}/results.json"]
            all_csv.write(rows.encode("utf-8"))
            if lines:
                all_json.write((("[\n" if first else ",\n") + ",\n".join(lines)).encode("utf-8"))
                first = False
        all_json.write(b"[]\n" if first else b"\n]\n")
    return sorted(written)
