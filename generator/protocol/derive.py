"""Derived per-task values shared by draw, refusals and verification (PROTOCOL §3, §6.3–6.4).

Everything here streams over ``directory.csv`` bytes so that memory stays O(selection). These
per-pass functions are the reference definitions; ``announce``, ``commit_refusals``, ``draw``
and ``verify_task`` use the one validated scan of :mod:`.scan`, which
``tests/test_protocol_scan.py`` checks against them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .canonical import iter_rows, parse_csv
from .params import assign_strata
from .selection import k_of


def risk_map(files: Mapping[str, bytes]) -> dict[str, str] | None:
    """``risk.csv`` as {code: risk} when present (audit mode only)."""
    data = files.get("risk.csv")
    return None if data is None else {c: r for c, r in parse_csv("risk.csv", data)}


def members(params: Mapping, files: Mapping[str, bytes]) -> Iterator[tuple[str, str, str]]:
    """Stream ``(code, stratum label, unit)`` over the population (§3)."""
    risk = risk_map(files) if params["mode"] == "audit" else None
    return assign_strata(params, iter_rows("directory.csv", files["directory.csv"]), risk)


def excluded_codes(exclusions: bytes) -> set[str]:
    return {row[0] for row in parse_csv("exclusions.csv", exclusions)}


@dataclass(frozen=True)
class StratumCount:
    label: str
    n_before: int  # members before exclusions (announced)
    n: int  # after exclusions (revealed in cutoffs.csv)
    k: int


def count_strata(params: Mapping, files: Mapping[str, bytes], excluded: set[str]) -> list[StratumCount]:
    """§6.4: N before and after exclusions and k for every stratum, in parameter order."""
    before = {s["label"]: 0 for s in params["strata"]}
    after = dict(before)
    for code, label, _ in members(params, files):
        before[label] += 1
        if code not in excluded:
            after[label] += 1
    return [
        StratumCount(s["label"], before[s["label"]], after[s["label"]], k_of(s, after[s["label"]]))
        for s in params["strata"]
    ]
