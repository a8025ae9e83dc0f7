"""Refusals of PROTOCOL §3–§5 (and §13), all collected: ``commit`` and ``verify`` run the same list.

- params: the parameter object of §3/§13;
- canonical: every input file canonical (§2);
- ids: inspector and expert ids unique ignoring ASCII case across roster and experts (§13);
- entropy: Σ game entropy ≥ 64 bits = 640 tenths (§4, §13);
- timing: every source ``scheduled`` ≥ 24 h after the announce time (§4);
- floor: every stratum non-empty and N (after exclusions) ≥ 20 unless its ratio equals 100 %;
  counts are never exempt (§3, §13);
- exclusion: each exclusion a population member under a rule of the task (§6.3);
- feasibility: P ≥ g, and per unit (§5.3, see :func:`feasibility`).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping

from .canonical import parse_csv
from .derive import excluded_codes
from .errors import ProtocolError
from .groups import Rules, in_scope, inspectors_from_rows, limit
from .params import is_full_ratio, validate_params
from .scan import Population, apply_exclusions, risk_of, scan_directory, stratum_counts
from .sources import MIN_ENTROPY_TENTHS, entropy_tenths

FLOOR = 20  # §3: minimum stratum size unless the ratio is 100 %
MIN_LEAD = datetime.timedelta(hours=24)  # §4


def parse_time(text: str) -> datetime.datetime:
    """RFC 3339 ``…Z`` or ``…+08:00`` to an aware datetime."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def timing_refusals(params: Mapping, announce_time: str) -> list[ProtocolError]:
    """§4: every ``scheduled`` is at least 24 hours after the announce entry's time."""
    out = []
    t0 = parse_time(announce_time)
    for i, s in enumerate(params["sources"], start=1):
        when = parse_time(s["scheduled"])
        if when - t0 < MIN_LEAD:
            out.append(ProtocolError(
                "timing",
                f"第 {i} 个随机源（{s['name']}）开奖时间 {s['scheduled']} 须在公告时间 {announce_time} 之后至少 24 小时",
                file="params.json",
            ))
    return out


def entropy_refusals(params: Mapping) -> list[ProtocolError]:
    total = entropy_tenths(params["sources"])
    if total >= MIN_ENTROPY_TENTHS:
        return []
    return [ProtocolError(
        "entropy",
        f"随机源熵合计须不少于 64 比特，实际为 {total // 10}.{total % 10} 比特（按 §13 玩法表计）",
        file="params.json",
    )]


def id_refusals(files: Mapping[str, bytes]) -> list[ProtocolError]:
    """§13: ids unique ignoring ASCII case across roster.csv and experts.csv."""
    seen: dict[str, str] = {}
    out = []
    for name in ("roster.csv", "experts.csv"):
        for row in parse_csv(name, files[name]):
            key = row[0].lower()
            if key in seen:
                out.append(ProtocolError("ids", f"编号 {row[0]!r} 与 {seen[key]} 中的编号重复（不区分大小写）", file=name))
            else:
                seen[key] = f"{name} 的 {row[0]!r}"
    return out


def recusal_refusals(params: Mapping, files: Mapping[str, bytes]) -> list[ProtocolError]:
    """Protocol 2: recusals are committed apart (``recusals_root``), never in the roster."""
    from .params import version
    from .recusals import declared

    if version(params) != 2:
        return []
    return [ProtocolError("recusal", f"协议 2 中 roster.csv、experts.csv 的 recusals 列须为空（回避只以承诺公开）：{who}",
                          file=who.split(" ", 1)[0]) for who in declared(files)]


def floor_refusals(params: Mapping, counts) -> list[ProtocolError]:
    out = []
    strata = {s["label"]: s for s in params["strata"]}
    for c in counts:
        if c.n == 0:
            out.append(ProtocolError("floor", f"分层 {c.label} 排除后没有企业（空分层不允许）", file="params.json"))
        elif c.n < FLOOR and not is_full_ratio(strata[c.label]):
            out.append(ProtocolError(
                "floor", f"分层 {c.label} 排除后只有 {c.n} 家企业，须不少于 {FLOOR} 家（比例为 100% 时除外）", file="params.json",
            ))
    return out


def exclusion_refusals(params: Mapping, population: Population, exclusions: bytes) -> list[ProtocolError]:
    out = []
    for n, (code, rule, ref, _) in enumerate(parse_csv("exclusions.csv", exclusions), start=2):
        if rule not in params["exclusion_rules"]:
            out.append(ProtocolError("exclusion", f"排除规则 {rule!r} 不在任务的 exclusion_rules {params['exclusion_rules']} 中", file="exclusions.csv", line=n, column=2))
        if population.index(code) is None:
            out.append(ProtocolError("exclusion", f"被排除的 {code} 不是抽取范围内的企业", file="exclusions.csv", line=n, column=1))
        if ref == params["task"]:
            out.append(ProtocolError("exclusion", f"排除依据 ref 不能是本任务 {ref}", file="exclusions.csv", line=n, column=3))
    return out


def feasibility(params: Mapping, files: Mapping[str, bytes], population: Population, excluded, counts) -> list[ProtocolError]:
    """§5.3, checked per unit u of the population:

    M_u = Σ_s min(k_s, members of s in u) is the most selected enterprises u can receive;
    E_u = qualified inspectors the scope allows for u; limit_i = the own cap (0 = none, counted
    as M_u). Refused unless |E_u| ≥ g,
    Σ_{i∈E_u} limit_i ≥ g·M_u, and for every required tag t, Σ_{i∈E_u holding t} limit_i ≥ M_u.

    ``excluded``: :func:`.scan.apply_exclusions` of the task's exclusions (members per unit and
    stratum after exclusions come from the scan, not from another pass).
    """
    inspectors = [i for i in inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"])) if i.qualified]
    g = params["group_size"]
    if len(inspectors) < g:
        return [ProtocolError("feasibility", f"有执法资格的检查人员 P={len(inspectors)} 少于每组人数 g={g}", file="roster.csv")]
    k = {c.label: c.k for c in counts}
    rules = Rules.make(params, sum(k.values()), len(inspectors))
    per_unit: dict[str, Counter] = defaultdict(Counter)
    for (u, s), n in excluded.per_unit.items():
        if n:
            per_unit[population.unit_names[u]][population.labels[s]] += n
    out = []
    for unit in sorted(per_unit, key=lambda u: u.encode("utf-8")):
        m = sum(min(k[label], n) for label, n in per_unit[unit].items())
        if m == 0:
            continue
        pool = [i for i in inspectors if in_scope(i, unit, rules.scope, False)]
        # "within their caps" = the inspectors' own caps: the formula cap of §6.6 has its
        # recorded fallback (`cap`), so it cannot make a draw fail and is not counted here.
        caps = {i.id: limit(i, rules.cap, "cap") for i in pool}
        where = f"单位 {unit!r} 最多可能抽中 {m} 家企业"
        if len(pool) < g:
            out.append(ProtocolError("feasibility", f"{where}，但可派检查人员只有 {len(pool)} 人，少于每组 {g} 人", file="roster.csv"))
            continue
        if sum(caps.values()) < g * m:
            out.append(ProtocolError("feasibility", f"{where}，需 {g * m} 人次，可派人员上限合计只有 {sum(caps.values())} 人次", file="roster.csv"))
        for tag in rules.expertise:
            have = sum(caps[i.id] for i in pool if tag in i.expertise)
            if have < m:
                out.append(ProtocolError("feasibility", f"{where}，每组须有专长 {tag!r}，具备该专长的可派人员上限合计只有 {have} 人次", file="roster.csv"))
    return out


def commit_refusals(
    params: Mapping, files: Mapping[str, bytes], exclusions: bytes, announce_time: str,
    population: Population | None = None,
) -> list[ProtocolError]:
    """Every refusal of §3–§5, in the order of the module docstring.

    ``population``: the scan of ``directory.csv`` (:func:`.scan.scan_files`, which checked the
    file) when the caller has it; otherwise it is scanned here, once."""
    out = validate_params(params)
    if out:
        return out
    risk_error = None
    for name in ("directory.csv", "roster.csv", "experts.csv"):
        try:
            if name != "directory.csv":
                parse_csv(name, files[name])
            elif population is None:
                try:
                    risk = risk_of(params, files)
                except ProtocolError as exc:  # raised where the strata are counted, as before
                    risk, risk_error = None, exc
                population = scan_directory(params, files[name], risk)
        except ProtocolError as exc:
            out.append(exc)
        except KeyError:
            out.append(ProtocolError("canonical", "缺少文件", file=name))
    try:
        excluded = excluded_codes(exclusions)
    except ProtocolError as exc:
        out.append(exc)
    if out:
        return out
    out += id_refusals(files)
    out += recusal_refusals(params, files)
    out += entropy_refusals(params)
    out += timing_refusals(params, announce_time)
    if risk_error is not None:
        raise risk_error
    ex = apply_exclusions(population, excluded)
    counts = stratum_counts(params, population, ex)
    out += floor_refusals(params, counts)
    out += exclusion_refusals(params, population, exclusions)
    out += feasibility(params, files, population, ex, counts)
    return out
