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
from . import deadlines, duplicates, groups, pii, references, risk, schema, uscc
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
)

__all__ = ["RULES", "CheckContext", "run_checks"]


def run_checks(model: Model, ctx: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for _name, rule in RULES:
        findings.extend(rule(model, ctx))
    return findings
