"""The I/O-free facade of the draw protocol (PROTOCOL §5–§7). The generator calls only this.

Inputs are bytes, never paths: ``files`` maps bundle names (``directory.csv``, ``roster.csv``,
``experts.csv`` and, in audit mode, ``risk.csv``) to canonical bytes; ``exclusions`` is the
canonical ``exclusions.csv``; ``code`` is the one-time code's 32 raw bytes.

- :func:`announce` → :class:`Announcement` (params bytes and hash, input hashes and rows with
  exclusions committed as H(code ‖ bytes), strata N_before, every refusal of §3–§5).
- :func:`draw` → :class:`DrawOutcome` (key string, listing, selection hash, cut-offs, status).
- :func:`reassign` → the new listing bytes (§7).
- :func:`.verify.verify_task` (module ``verify``) → task-level checks of §10.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from .canonical import iter_rows, parse_csv, row_count, write_csv
from .derive import excluded_codes
from .encoding import sha256_hex
from .errors import ProtocolError
from .exclusions import exclusions_commitment
from .groups import (
    Inspector,
    Ranker,
    Rules,
    experts_from_rows,
    form_group,
    in_scope_pool,
    inspectors_from_rows,
    pick_experts,
)
from .listing import Line, format_listing, parse_listing, selection_sha256
from .params import params_bytes, validate_params, version
from .reassign import reassign_lines
from .recusals import directory_codes
from .recusals import root as recusals_root
from .refusals import commit_refusals
from .scan import RECORD, Population, apply_exclusions, scan_directory, scan_files, stratum_counts
from .selection import KeyedTickets, StreamingSelector, select_records
from .sources import canonical_numbers, key_string
from .tickets import Tickets

INPUT_FILES = ("directory.csv", "roster.csv", "experts.csv")


@dataclass(frozen=True)
class Announcement:
    params_bytes: bytes  # exactly params.json
    params_sha256: str
    inputs: dict[str, dict[str, object]]  # {file name: {"sha256": hex, "rows": int}}
    strata: list[dict[str, object]]  # [{"label": "S1", "N_before": int}]
    refusals: list[ProtocolError] = field(default_factory=list)
    recusals_root: str | None = None  # protocol 2: the Merkle root of recusals.csv

    @property
    def ok(self) -> bool:
        return not self.refusals


@dataclass(frozen=True)
class DrawOutcome:
    key_string: str
    numbers: list[list[str]]  # canonical numbers per source (for sources.json)
    listing: bytes  # listing-0.csv
    selection_sha256: str
    cutoffs_csv: bytes  # cutoffs.csv (label,N,k,cutoff)
    status: str  # "ok" | "failed"
    failure: str | None  # scope | recusal | load | expertise | experts
    tickets: dict[str, str]  # selected code → ticket hex


def _check_params(params: Mapping) -> None:
    errors = validate_params(params)
    if errors:
        raise errors[0]


def input_hashes(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    population: Population | None = None,
) -> dict:
    """The announce entry's ``inputs`` (§5.4, §13): every file canonical; exclusions committed.

    ``directory.csv`` is checked by the scan (:func:`_scan_inputs`) unless ``population`` (its
    scan) is given."""
    if population is None:
        _scan_inputs(params, files, exclusions)
    return _hashes(params, files, exclusions, code)


def _scan_inputs(params: Mapping, files: Mapping[str, bytes], exclusions: bytes) -> Population:
    """Check every input file, in the order of ``inputs`` (the first error raised), and return
    the one scan of ``directory.csv``."""
    risk, risk_error = None, None
    if params["mode"] == "audit" and "risk.csv" in files:
        try:
            risk = {c: r for c, r in parse_csv("risk.csv", files["risk.csv"])}
        except ProtocolError as exc:
            risk_error = exc
    population = scan_directory(params, files["directory.csv"], risk)  # refuses a non-canonical file
    for name in INPUT_FILES[1:]:
        parse_csv(name, files[name])
    if risk_error is not None:
        raise risk_error
    parse_csv("exclusions.csv", exclusions)
    return population


def _hashes(params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes) -> dict:
    names = INPUT_FILES + (("risk.csv",) if params["mode"] == "audit" and "risk.csv" in files else ())
    out: dict[str, dict[str, object]] = {}
    for name in names:
        out[name] = {"sha256": sha256_hex(files[name]), "rows": row_count(files[name])}
    out["exclusions.csv"] = {"sha256": exclusions_commitment(code, exclusions), "rows": row_count(exclusions)}
    return out


def announce(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes, announce_time: str,
    recusals: bytes | None = None,
) -> Announcement:
    """Everything the announce entry carries besides commitment, n and sources, plus refusals.

    ``directory.csv`` is scanned once (:mod:`.scan`); inputs, strata and refusals share it.
    Protocol 2: ``files`` are the published inputs (empty ``recusals`` columns) and
    ``recusals`` the secret ``recusals.csv`` (:func:`.recusals.commitment_file`)."""
    _check_params(params)
    population = _scan_inputs(params, files, exclusions)
    root = None
    extra: list[ProtocolError] = []
    if version(params) == 2:
        if recusals is None:
            raise ProtocolError("recusal", "协议 2 的公告须有回避承诺文件 recusals.csv")
        rows = parse_csv("recusals.csv", recusals)
        if [r[0] for r in rows] != directory_codes(files["directory.csv"]):
            extra.append(ProtocolError("recusal", "recusals.csv 须恰有 directory.csv 的每一家企业各一行", file="recusals.csv"))
        root = recusals_root(recusals)
    inputs = _hashes(params, files, exclusions, code)
    counts = stratum_counts(params, population, apply_exclusions(population, excluded_codes(exclusions)))
    return Announcement(
        params_bytes=params_bytes(params),
        params_sha256=sha256_hex(params_bytes(params)),
        inputs=inputs,
        strata=[{"label": c.label, "N_before": c.n_before} for c in counts],
        refusals=extra + commit_refusals(params, files, exclusions, announce_time, population=population),
        recusals_root=root,
    )


def cutoffs_csv(counts, cutoffs: Mapping[str, bytes | None]) -> bytes:
    """``cutoffs.csv``: label,N,k,cutoff per stratum (cut-off empty when k = 0)."""
    rows = []
    for c in counts:
        t = cutoffs.get(c.label)
        rows.append((c.label, c.n, c.k, t.hex() if t is not None else None))
    return write_csv("cutoffs.csv", rows)


def key_of(sources: Sequence[Mapping], numbers: Sequence[Sequence[str]]) -> tuple[list[list[str]], str]:
    """§4: the canonical numbers per source and the key string; refuses a wrong source count."""
    if len(numbers) != len(sources):
        raise ProtocolError("source-number", f"应有 {len(sources)} 个随机源的号码，实际 {len(numbers)} 个")
    canon = [canonical_numbers(s, typed, i) for i, (s, typed) in enumerate(zip(sources, numbers, strict=True), 1)]
    return canon, key_string(sources, canon)


def form_groups(
    selected, units: Mapping[str, str],
    prepared: Iterator[tuple[Sequence[Inspector], tuple[str, ...] | None]],
    inspectors: Sequence[Inspector], rules: Rules, ranker: Ranker,
) -> tuple[list[Line], str | None]:
    """§6.6 over the selected enterprises in listing order (ascending ticket, code): the
    listing lines and the failure name. ``prepared`` yields, for each enterprise up to the first
    failure, its in-scope ranking and its experts (:func:`.groups.form_group`); the groups are
    formed here in order, since each one counts against the loads of the next."""
    loads: dict[str, int] = {}
    lines: list[Line] = []
    failure: str | None = None
    for s in selected:
        if failure is not None:
            lines.append(Line(s.code, s.stratum, s.ticket.hex(), (), (), "-"))
            continue
        ranked, picked = next(prepared)
        group = form_group(ranked, s.code, units[s.code], loads, rules,
                           full=lambda code=s.code: ranker.rank(code, inspectors))
        failure = record_group(s, group, picked, loads, lines)
    return lines, failure


def record_group(s, group, picked, loads: dict[str, int], lines: list[Line]) -> str | None:
    """§6.6.5: append the selected enterprise ``s``'s listing line and count its members' loads;
    the failure name when its group (a failure name) or its experts (``None``) failed."""
    if isinstance(group, str) or picked is None:
        lines.append(Line(s.code, s.stratum, s.ticket.hex(), (), (), "-"))
        return group if isinstance(group, str) else "experts"
    ids, fallback = group
    for i in ids:
        loads[i] = loads.get(i, 0) + 1
    lines.append(Line(s.code, s.stratum, s.ticket.hex(), ids, picked, fallback))
    return None


def outcome(key: str, canon: list[list[str]], lines: Sequence[Line], failure: str | None,
            counts, cutoffs: Mapping[str, bytes | None], selected) -> DrawOutcome:
    """The :class:`DrawOutcome` of a finished draw (§6.8): listing, its hash, cut-offs, status."""
    listing = format_listing(lines)
    return DrawOutcome(
        key_string=key,
        numbers=canon,
        listing=listing,
        selection_sha256=selection_sha256(listing),
        cutoffs_csv=cutoffs_csv(counts, cutoffs),
        status="ok" if failure is None else "failed",
        failure=failure,
        tickets={s.code: s.ticket.hex() for s in selected},
    )


def draw(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, code: bytes,
    numbers: Sequence[Sequence[str]], population: Population | None = None,
) -> DrawOutcome:
    """§6 from start to end. ``numbers`` are the typed numbers per source (drand: decimal, see
    :func:`.sources.drand_decimal`). ``population``: the scan of ``directory.csv``
    (:func:`.scan.scan_files`) when the caller has it already (verification)."""
    _check_params(params)
    canon, key = key_of(params["sources"], numbers)
    tickets = Tickets(code, key)
    excluded = excluded_codes(exclusions)
    if population is None:
        population = scan_files(params, files)  # the one pass over directory.csv
    ex = apply_exclusions(population, excluded)
    counts = stratum_counts(params, population, ex)  # N_s and k_s
    selector = StreamingSelector({c.label: c.k for c in counts})
    fed = select_records(  # tickets over the scanned members, bounded heaps
        selector, population.labels, population.records, population.stratum, ex.members,
        tickets.prk, RECORD,
    )
    selected, cutoffs = selector.result()
    units = {s.code: population.unit_of(fed[s.code]) for s in selected}

    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    experts = experts_from_rows(parse_csv("experts.csv", files["experts.csv"]))
    qualified = sum(1 for i in inspectors if i.qualified)
    rules = Rules.make(params, len(selected), qualified)
    fast = KeyedTickets(tickets)  # the same tickets, faster (speed only)
    ranker = Ranker(tickets.prk)  # the ranking of groups.ranking, faster (speed only)

    def prepared() -> Iterator[tuple[Sequence[Inspector], tuple[str, ...] | None]]:
        pools: dict[str, list] = {}  # unit → in-scope inspectors (see groups.form_group)
        for s in selected:
            unit = units[s.code]
            if unit not in pools:
                pools[unit] = in_scope_pool(inspectors, unit, rules)
            yield ranker.rank(s.code, pools[unit]), pick_experts(fast, s.code, experts,
                                                                  params["experts"])

    lines, failure = form_groups(selected, units, prepared(), inspectors, rules, ranker)
    return outcome(key, canon, lines, failure, counts, cutoffs, selected)


def reassign(
    params: Mapping, files: Mapping[str, bytes], code: bytes, key: str, listing: bytes,
    history: Sequence[tuple[str, str]], enterprise: str, inspector: str, reason: str,
    population: Population | None = None,
) -> bytes:
    """§7: the listing after ``inspector`` leaves ``enterprise``'s group.

    ``history`` lists the ``(enterprise, inspector)`` pairs of earlier reassignments of this task.
    """
    _check_params(params)
    lines = parse_listing(listing)
    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    qualified = sum(1 for i in inspectors if i.qualified)
    rules = Rules.make(params, len(lines), qualified)
    at = population.index(enterprise) if population is not None else None
    if at is not None:
        unit = population.unit_of(at)
    else:
        unit = next((row[4] for row in iter_rows("directory.csv", files["directory.csv"]) if row[0] == enterprise), "")
    new = reassign_lines(lines, Tickets(code, key), inspectors, unit, rules, history, enterprise, inspector, reason)
    return format_listing(new)
