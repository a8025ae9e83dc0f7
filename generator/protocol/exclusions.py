"""Exclusions (PROTOCOL §6.3, §13 "Exclusions do not leak").

``exclusions.csv`` rows are ``code,rule,ref,ticket``: a population member, the rule
(``same-item-same-year``), the referenced task and the code's ticket in that task. The announce
entry commits them as ``H(code ‖ exclusions.csv bytes)`` (the code's 32 raw bytes first), so
the value cannot be brute-forced before reveal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .canonical import write_csv
from .encoding import sha256_hex

SAME_ITEM_SAME_YEAR = "same-item-same-year"


def exclusions_commitment(code: bytes, exclusions_csv: bytes) -> str:
    """§13: H(code ‖ exclusions.csv bytes), lowercase hex."""
    return sha256_hex(code + exclusions_csv)


def build_exclusions(
    population: Iterable[str], referenced: Mapping[str, Mapping[str, str]]
) -> bytes:
    """Canonical ``exclusions.csv`` for ``same-item-same-year``.

    ``referenced`` maps each qualifying task id (shares an item, ``ok`` draw entry in the same
    Beijing year, before this announce) to its selection ``{code: ticket hex}``. Every
    population member found there is excluded; when several tasks select it, ``ref`` is the
    task id smallest by bytes (the first column must stay unique).
    """
    rows = []
    for code in population:
        for ref in sorted(referenced, key=lambda t: t.encode("utf-8")):
            if code in referenced[ref]:
                rows.append((code, SAME_ITEM_SAME_YEAR, ref, referenced[ref][code]))
                break
    return write_csv("exclusions.csv", rows)
