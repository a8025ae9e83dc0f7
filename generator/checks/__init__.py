"""Checks: one module per rule, each ``check(model, ctx) -> list[Finding]``; besides them only
``context`` (what a check may know) and ``cache`` (directory findings kept between builds).

``RULES`` is the registry; ``run_checks`` runs every rule in order. Loader findings (schema,
vocabulary, unreadable files) come from ``generator.load.load_model``; the ``schema`` rule adds
model-level schema checks so that a model built in code is held to the same rules.
"""

from __future__ import annotations

from collections.abc import Callable

from ..findings import Finding
from ..model import Model
from . import (
    badge_duplicates,
    badge_missing,
    completion_overdue,
    deadlines,
    duplicates,
    followup_overdue,
    groups,
    inspection_dates,
    item_objects,
    pii,
    plan_ratio,
    plan_scope,
    references,
    risk,
    schema,
    uscc,
)
from .context import CheckContext

Rule = Callable[[Model, CheckContext], list[Finding]]

RULES: tuple[tuple[str, Rule], ...] = (
    ("schema", schema.check),
    ("uscc", uscc.check),
    ("duplicates", duplicates.check),
    ("references", references.check),
    ("groups", groups.check),
    ("deadlines", deadlines.check),
    ("pii", pii.check),
    ("risk", risk.check),
    ("badge_duplicates", badge_duplicates.check),
    ("badge_missing", badge_missing.check),
    ("inspection_dates", inspection_dates.check),
    ("completion_overdue", completion_overdue.check),
    ("plan_scope", plan_scope.check),
    ("item_objects", item_objects.check),
    ("plan_ratio", plan_ratio.check),
    ("followup_overdue", followup_overdue.check),
)

__all__ = ["RULES", "CheckContext", "run_checks"]


def run_checks(model: Model, ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for _name, rule in RULES:
        findings.extend(rule(model, ctx))
    return findings
