"""From the model to the protocol's inputs: the parameter object and the canonical file rows.

PROTOCOL §2 fixes the canonical files' columns; §3 the parameter object. Display values
(names, units' display names, 执法证号) never enter these: they live in the model only.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Condition, Model, Source, StratumRule, Task
from ..protocol.canonical import SCHEMAS, format_field, header, write_csv
from ..protocol.encoding import is_uscc


def _condition(c: Condition) -> dict:
    value = list(c.value) if isinstance(c.value, tuple) else c.value
    return {"column": c.column, "op": c.op, "value": value}


def _stratum(index: int, rule: StratumRule) -> dict:
    out: dict = {"label": f"S{index}", "when": [_condition(c) for c in rule.when]}
    if rule.ratio is not None:
        out["ratio"] = rule.ratio
    else:
        out["count"] = int(rule.count or 0)
    return out


def _scope(task: Task) -> dict:
    scope = task.scope
    if scope.kind == "units":
        return {"kind": "units", "units": sorted(scope.units)}
    if scope.kind == "hq+own":
        return {"kind": "hq+own", "hq": sorted(scope.hq)}
    return {"kind": scope.kind}


def _source(s: Source) -> dict:
    return {
        "name": s.name,
        "game": s.game,
        "issue": s.issue,
        "scheduled": s.scheduled,
        "take": s.take,
        "count": s.count,
        "ordered": s.ordered,
        "fallback": s.fallback,
        "url": s.url,
    }


def params_from_task(task: Task) -> dict:
    """The keyword arguments of ``protocol.params.build_params`` for ``task`` (PROTOCOL §3)."""
    experts: dict = {"count": task.experts_count}
    if task.experts_count:
        experts["expertise"] = sorted(task.experts_expertise)
    return {
        "task": task.id,
        "mode": task.mode,
        "population": [_condition(c) for c in task.population],
        "strata": [_stratum(i, r) for i, r in enumerate(task.strata, start=1)],
        "group_size": task.group_size,
        "scope": _scope(task),
        "expertise": sorted(task.expertise),
        "experts": experts,
        "exclusion_rules": sorted(task.exclusion_rules),
        "items": sorted(task.items),
        "sources": [_source(s) for s in task.sources],
        "n": task.n,
        "protocol": f"gongshi-draw/{task.protocol}",
    }


def directory_csv(model: Model) -> bytes:
    """The canonical ``directory.csv`` of the model's directory (PROTOCOL §2).

    A column-wise table (a city's or a province's directory) is written from its columns in
    code order, each distinct value checked once by the canonical writer's field rules (codes
    by :func:`~generator.protocol.encoding.is_uscc`); the same bytes as :func:`write_csv` over
    :func:`directory_rows`, which writes any other directory (and any table holding a value
    the fast path does not accept, so that the error is the writer's)."""
    by_code = getattr(model.enterprises, "public_columns_by_code", None)
    if by_code is not None:
        columns = by_code()
        if _columns_canonical(columns):
            lines = map(",".join, zip(*columns, strict=True))
            body = "\n".join(lines)
            return header("directory.csv") + (body + "\n" if body else "").encode("utf-8")
    return write_csv("directory.csv", (
        (r["code"], r["type"], r["industry"], r["industry_risk"], r["unit"], r["registered"],
         r["status"]) for r in directory_rows(model)))


def _columns_canonical(columns: list[list[str]]) -> bool:
    codes = columns[0]
    if any(a >= b for a, b in zip(codes, codes[1:], strict=False)):  # unique, ascending
        return False
    if not all(map(is_uscc, codes)):
        return False
    kinds = [kind for _name, kind in SCHEMAS["directory.csv"]]
    for kind, column in zip(kinds[1:], columns[1:], strict=True):
        for value in set(column):
            try:
                if format_field(kind, value) != value:
                    return False
            except ValueError:
                return False
    return True


def directory_rows(model: Model) -> Iterator[dict]:
    """``directory.csv``: code,type,industry,industry_risk,unit,registered,status."""
    public_rows = getattr(model.enterprises, "public_rows", None)
    if public_rows is not None:  # a DirectoryTable: straight from its columns, same rows
        for code, type_, industry, industry_risk, unit, registered, status in public_rows():
            yield {
                "code": code,
                "type": type_,
                "industry": industry,
                "industry_risk": industry_risk,
                "unit": unit,
                "registered": registered,
                "status": status,
            }
        return
    for e in model.enterprises.values():
        yield {
            "code": e.code,
            "type": e.entity_type,
            "industry": e.industry,
            "industry_risk": e.industry_risk,
            "unit": e.unit,
            "registered": e.registered,
            "status": e.status,
        }


def roster_rows(model: Model) -> Iterator[dict]:
    """``roster.csv``: id,unit,qualified,expertise,cap,recusals.

    Inspectors of other departments (units of kind ``dept``, in joint tasks) are drawn by their
    own department within its own scope, never in this bureau's draw."""
    other = {u.id for u in model.portal.units if u.kind == "dept"}
    for i in model.inspectors:
        if i.unit in other:
            continue
        yield {
            "id": i.id,
            "unit": i.unit,
            "qualified": i.qualified,
            "expertise": sorted(set(i.expertise)),
            "cap": i.cap,
            "recusals": sorted(set(i.recusals)),
        }


def experts_rows(model: Model) -> Iterator[dict]:
    """``experts.csv``: id,expertise,recusals."""
    for x in model.experts:
        yield {
            "id": x.id,
            "expertise": sorted(set(x.expertise)),
            "recusals": sorted(set(x.recusals)),
        }


RISK_COLUMN = "risk"


def risk_rows(model: Model) -> Iterator[dict]:
    """``risk.csv`` (audit mode only, never published): code,risk."""
    for e in model.enterprises.values():
        risk = e.internal.get(RISK_COLUMN, "")
        if risk:
            yield {"code": e.code, "risk": risk}
