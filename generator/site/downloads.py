"""Downloadable files: the published bundle (PROTOCOL §11), verify.py and open data.

Returns ``{site path: bytes}``; the plugin adds them to the MkDocs build as static files. CSV is
UTF-8 with BOM for Excel; cells that a spreadsheet would read as a formula are prefixed with
``'`` (CSV injection). JSON is sorted and ASCII-safe for HTML contexts.
"""

from __future__ import annotations

import csv
import io
import json

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


def to_csv(records: list[dict]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([title for _, title in RESULT_COLUMNS])
    for rec in records:
        writer.writerow([_cell(str(rec[key])) for key, _ in RESULT_COLUMNS])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def to_json(obj: object) -> bytes:
    # ensure_ascii keeps "<" etc. literal but the file is served as application/json; escape
    # "<" anyway so the bytes are safe if ever inlined into HTML.
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            + "\n").encode("utf-8")


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
    out: dict[str, bytes] = {}
    for tv in view.tasks:
        for name, content in tv.files.items():
            out[f"draws/{tv.task.id}/{name}"] = content
    out.update(view.log_files)
    if view.verify_py:
        out["verify.py"] = view.verify_py
    combined: list[dict] = []
    inspectors = _inspectors(model)
    for tv in view.tasks:
        records = result_records(model, tv, inspectors)
        if not tv.published:
            continue
        combined += records
        out[f"data/{tv.task.id}/results.csv"] = to_csv(records)
        out[f"data/{tv.task.id}/results.json"] = to_json(records)
    out["data/results.csv"] = to_csv(combined)
    out["data/results.json"] = to_json(combined)
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
