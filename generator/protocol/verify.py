"""Task-level checks of PROTOCOL §10 over the published bundle of §11 (log-level checks —
chain, Merkle tree, checkpoint — belong to the log verifier, not here).

:func:`verify_task` reads only bundle files and log entries (as dicts) and returns one
:class:`Check` per fact checked; ``detail`` (Chinese) names the file, enterprise or entry and
what differs. It re-checks every refusal of §3–§5 as well (§13 "Verification scope").
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .canonical import parse_csv, row_count
from .derive import excluded_codes
from .encoding import sha256_hex
from .engine import DrawOutcome
from .engine import draw as run_draw
from .engine import reassign as run_reassign
from .errors import ProtocolError
from .exclusions import exclusions_commitment
from .jcs import canonicalize
from .listing import parse_listing
from .params import meets, validate_params, version
from .recusals import directory_codes, merged, open_selected
from .recusals import root as recusals_root
from .refusals import (
    commit_refusals,
    entropy_refusals,
    id_refusals,
    parse_time,
    recusal_refusals,
    timing_refusals,
)
from .scan import apply_exclusions, risk_of, scan_directory, stratum_counts
from .sources import canonical_number, key_string
from .tickets import commitment_of, parse_code


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    severity: str = "error"  # "warning": reported, never fails the verification


class _Report:
    def __init__(self) -> None:
        self.checks: list[Check] = []

    def add(self, name: str, ok: bool, detail: str, severity: str = "error") -> bool:
        self.checks.append(Check(name, bool(ok), detail, severity))
        return bool(ok)

    def same(self, name: str, got: object, want: object, what: str) -> bool:
        ok = got == want
        return self.add(name, ok, f"{what}一致" if ok else f"{what}不一致：应为 {want!r}，实际为 {got!r}")


def _listing_diff(prev: bytes, cur: bytes) -> tuple[str, str] | str:
    """The (enterprise, leaver) of one reassignment, or why the two listings are not one change."""
    a = {ln.code: ln for ln in parse_listing(prev)}
    b = {ln.code: ln for ln in parse_listing(cur)}
    if set(a) != set(b):
        return "改派前后企业集合不同"
    changed = [c for c in a if a[c] != b[c]]
    if len(changed) != 1:
        return f"应恰有一家企业的检查组变化，实际 {len(changed)} 家"
    gone = set(a[changed[0]].inspectors) - set(b[changed[0]].inspectors)
    if len(gone) != 1:
        return f"企业 {changed[0]} 的检查组应恰有一人离开，实际 {len(gone)} 人"
    return changed[0], gone.pop()


def verify_task(
    files: Mapping[str, bytes], announce: Mapping, draw: Mapping | None, reassigns: Sequence[Mapping],
    reveal: Mapping | None, publish: Mapping | None, earlier: set[str],
    referenced: Mapping[str, Mapping[str, str]] | None = None,
    audits: Sequence[Mapping] = (), auditors_pub: bytes | None = None,
    draw_fn: Callable[..., DrawOutcome] | None = None,
) -> list[Check]:
    """All task-level checks. ``earlier``: commitments and codes of earlier log entries (hex);
    ``referenced``: optional {task: {code: ticket hex}} of revealed tasks that exclusions name;
    ``audits``: the task's ``audit`` entries; ``auditors_pub``: ``log/auditors.pub`` if any.

    An audit-mode task is checked in one of two views. The public view (no ``risk.csv``) checks
    everything that does not depend on the secret risk classes (:func:`_audit_public`) and the
    auditors' signed ``audit`` entries. The auditors' view (``risk.csv`` and ``code.txt``
    present, as ``gongshi audit-export`` writes them) checks everything, as in public mode, and
    that ``selected.csv`` agrees with the last listing.

    ``draw_fn``: speed only, a function equal to :func:`.engine.draw` byte for byte (same
    arguments, keyword ``population``) that re-runs the draw instead of it, e.g.
    ``generator/draws/parallel_verify.py``; the standalone verifier never passes one. When it
    carries an attribute ``scan_directory``, a function equal to :func:`.scan.scan_directory`
    (same population, same error), that function makes the one scan of ``directory.csv``."""
    r = _Report()
    checks = _verify_task(r, files, announce, draw, reassigns, reveal, publish, earlier, referenced,
                          draw_fn or run_draw)
    if files.get("params.json") is not None and _mode(files) == "audit":
        _check_audits(r, announce.get("task", ""), audits, reveal, auditors_pub)
    return checks


def _mode(files: Mapping[str, bytes]) -> str | None:
    try:
        return json.loads(files["params.json"].decode("utf-8")).get("mode")
    except (ValueError, AttributeError, KeyError):
        return None


def _verify_task(
    r: _Report, files: Mapping[str, bytes], announce: Mapping, draw: Mapping | None,
    reassigns: Sequence[Mapping], reveal: Mapping | None, publish: Mapping | None, earlier: set[str],
    referenced: Mapping[str, Mapping[str, str]] | None,
    draw_fn: Callable[..., DrawOutcome] = run_draw,
) -> list[Check]:
    raw = files.get("params.json")
    if raw is None:
        r.add("params", False, "缺少 params.json")
        return r.checks
    try:
        params = json.loads(raw.decode("utf-8"))
        canonical = canonicalize(params) == raw
    except (ValueError, ProtocolError) as exc:
        r.add("params", False, f"params.json 不是有效 JSON：{exc}")
        return r.checks
    r.add("params.canonical", canonical, "params.json 是 RFC 8785 规范字节" if canonical else "params.json 不是 RFC 8785 规范字节（不得重新格式化）")
    r.same("params_sha256", sha256_hex(raw), announce.get("params_sha256"), "params.json 的哈希与公告条目 params_sha256 ")
    errors = validate_params(params)
    if not r.add("params.valid", not errors, "；".join(str(e) for e in errors) or "参数对象符合 §3、§13"):
        return r.checks
    r.same("announce.n", announce.get("n"), params["n"], "公告条目的 n 与参数对象 ")
    if "sources" in announce:
        r.same("announce.sources", announce["sources"], params["sources"], "公告条目的随机源与参数对象 ")
    inputs = announce.get("inputs", {})
    population = None  # the one scan of directory.csv, shared by every check and the draw re-run
    scan = getattr(draw_fn, "scan_directory", None) or scan_directory
    for name in ("directory.csv", "roster.csv", "experts.csv"):
        data = files.get(name)
        if data is None:
            r.add(f"{name}", False, f"缺少 {name}")
            return r.checks
        try:
            if name == "directory.csv":
                try:
                    risk = risk_of(params, files)
                except ProtocolError:  # reported as risk.csv.canonical below (auditors' view)
                    risk = None
                population = scan(params, data, risk)
            else:
                parse_csv(name, data)
        except ProtocolError as exc:
            r.add(f"{name}.canonical", False, str(exc))
            return r.checks
        want = inputs.get(name, {})
        r.same(f"{name}.sha256", sha256_hex(data), want.get("sha256"), f"{name} 的哈希与公告条目 ")
        r.same(f"{name}.rows", row_count(data), want.get("rows"), f"{name} 的行数与公告条目 ")

    v2 = version(params) == 2
    has_root = isinstance(announce.get("recusals_root"), str)
    r.add("announce.recusals_root", has_root == v2,
          ("公告条目有回避承诺 recusals_root（协议 2）" if v2 else "公告条目没有 recusals_root（协议 1）") if has_root == v2
          else ("协议 2 的公告条目缺少回避承诺 recusals_root" if v2 else "协议 1 的公告条目不应有 recusals_root"))
    if reveal is not None and draw is not None:
        _check_people(r, params, files, reveal, v2)

    public = params["mode"] == "public"
    auditor_view = not public and "risk.csv" in files and "code.txt" in files
    if not public and not auditor_view:
        if "code.txt" in files:
            r.add("code.public", False, "审计模式任务不得公开 code.txt（一次性代码只交给审计人员）")
        for name in ("listing.csv", "listing-0.csv", "cutoffs.csv", "risk.csv"):
            if name in files:
                r.add(f"{name}.public", False, f"审计模式任务不得公开 {name}")
        _audit_public(r, params, files, announce, draw, reassigns, reveal, publish)
        return r.checks
    if auditor_view:
        try:
            parse_csv("risk.csv", files["risk.csv"])
            want = inputs.get("risk.csv", {})
            r.same("risk.csv.sha256", sha256_hex(files["risk.csv"]), want.get("sha256"), "risk.csv 的哈希与公告条目 ")
            r.same("risk.csv.rows", row_count(files["risk.csv"]), want.get("rows"), "risk.csv 的行数与公告条目 ")
        except ProtocolError as exc:
            r.add("risk.csv.canonical", False, str(exc))
            return r.checks
    code = None
    if "code.txt" in files:
        text = files["code.txt"].decode("ascii", "replace")
        try:
            if not text.endswith("\n"):
                raise ProtocolError("canonical", "code.txt 须为 64 位小写十六进制加换行", file="code.txt")
            code = parse_code(text[:-1])
        except ProtocolError as exc:
            r.add("code.format", False, str(exc))
    if code is not None:
        r.same("commitment", commitment_of(code).hex(), announce.get("commitment"), "H(code) 与公告条目的承诺 ")
        if reveal is not None and "code" in reveal:
            r.same("reveal.code", reveal["code"], code.hex(), "揭示条目的 code 与 code.txt ")
    elif reveal is not None and public:
        r.add("code.present", False, "已揭示的公开模式任务缺少 code.txt")
    for value, what in ((announce.get("commitment"), "承诺"), (code.hex() if code else None, "一次性码")):
        if value is not None:
            r.add(f"reuse.{what}", value not in earlier, f"{what} {value} 在日志中曾出现过（不得重复使用）" if value in earlier else f"{what}未被重复使用")

    exclusions = files.get("exclusions.csv")
    if code is None or exclusions is None:
        if draw is not None and reveal is not None:
            r.add("exclusions.present", exclusions is not None, "缺少 exclusions.csv" if exclusions is None else "缺少 code.txt，无法核对排除清单承诺")
        counts = stratum_counts(params, population)
        got = [{"label": c.label, "N_before": c.n_before} for c in counts]
        r.same("strata.N_before", got, announce.get("strata"), "各分层排除前的企业数与公告条目 ")
        if draw is not None and draw.get("key_string") is not None:
            # Drawn, not revealed: sources.json is public and must give the logged key string.
            if "sources.json" in files:
                _check_sources(r, params, files, draw)
            else:
                r.add("sources.present", False, "已抽取的任务缺少 sources.json")
        return r.checks
    try:
        excluded = excluded_codes(exclusions)
    except ProtocolError as exc:
        r.add("exclusions.canonical", False, str(exc))
        return r.checks
    want = inputs.get("exclusions.csv", {})
    r.same("exclusions.commitment", exclusions_commitment(code, exclusions), want.get("sha256"), "H(code ‖ exclusions.csv) 与公告条目 ")
    r.same("exclusions.rows", row_count(exclusions), want.get("rows"), "exclusions.csv 的行数与公告条目 ")
    if referenced is not None:
        for ex_code, _, ref, ticket in parse_csv("exclusions.csv", exclusions):
            got = referenced.get(ref, {}).get(ex_code)
            r.same(f"exclusions.ticket.{ex_code}", ticket, got, f"排除企业 {ex_code} 在任务 {ref} 中的签号 ")
    counts = stratum_counts(params, population, apply_exclusions(population, excluded))
    r.same("strata.N_before", [{"label": c.label, "N_before": c.n_before} for c in counts], announce.get("strata"), "各分层排除前的企业数与公告条目 ")
    refusals = commit_refusals(params, files, exclusions, announce.get("time", ""), population=population)
    r.add("refusals", not refusals, "；".join(str(e) for e in refusals) or "§3–§5 的拒绝条件均未触发")

    if draw is None:
        return r.checks
    got = _check_sources(r, params, files, draw)
    if got is None:
        return r.checks
    key, numbers = got

    opened: dict[str, set[str]] | None = None
    if v2:
        opened = _open_recusals(r, files, announce)
        if opened is None:
            return r.checks
        files = merged(files, opened)
    outcome = draw_fn(params, files, exclusions, code, numbers, population=population)
    if opened is not None:
        r.same("recusals-selected.codes", sorted(opened), sorted(outcome.tickets),
               "recusals-selected.csv 中的企业与入选企业（不多不少：未入选企业的回避从不公开）")
    listing0 = files.get("listing-0.csv")
    r.same("listing-0", listing0, outcome.listing, "listing-0.csv 与重算的抽取清单（签号、分层、检查组、专家、fallback）")
    if listing0 is not None and listing0 != outcome.listing:
        mine = {ln.code: ln for ln in parse_listing(outcome.listing)}
        try:
            for ln in parse_listing(listing0, "listing-0.csv"):
                if mine.get(ln.code) != ln:
                    r.add(f"listing-0.{ln.code}", False, f"企业 {ln.code} 的行与重算不符：应为 {mine[ln.code].text() if ln.code in mine else '（不应入选）'}，实际为 {ln.text()}")
        except ProtocolError as exc:
            r.add("listing-0.canonical", False, str(exc))
    r.same("draw.selection_sha256", draw.get("selection_sha256"), outcome.selection_sha256, "抽取条目的 selection_sha256 与重算 ")
    r.same("draw.status", draw.get("status"), outcome.status, "抽取条目的 status 与重算 ")
    r.same("draw.failure", draw.get("failure"), outcome.failure, "抽取条目的 failure 与重算 ")
    if public or auditor_view:
        r.same("cutoffs.csv", files.get("cutoffs.csv"), outcome.cutoffs_csv, "cutoffs.csv 与重算的 N、k、截止签号 ")

    current, history = outcome.listing, []
    for n, entry in enumerate(reassigns, start=1):
        nxt = files.get(f"listing-{n}.csv")
        r.same(f"reassign.{n}.count", entry.get("count"), n, f"第 {n} 次改派条目的 count ")
        if nxt is None:
            r.add(f"reassign.{n}.file", False, f"缺少 listing-{n}.csv")
            return r.checks
        diff = _listing_diff(current, nxt)
        if isinstance(diff, str):
            r.add(f"reassign.{n}", False, f"listing-{n}.csv：{diff}")
            return r.checks
        try:
            want_bytes = run_reassign(
                params, files, code, key, current, history, diff[0], diff[1], entry.get("reason", ""),
                population=population,
            )
        except ProtocolError as exc:
            r.add(f"reassign.{n}", False, f"listing-{n}.csv：{exc}")
            return r.checks
        r.same(f"reassign.{n}.listing", nxt, want_bytes, f"listing-{n}.csv（企业 {diff[0]}，离开 {diff[1]}）与重算的替补 ")
        r.same(f"reassign.{n}.selection_sha256", entry.get("selection_sha256"), sha256_hex(nxt), f"第 {n} 次改派条目的 selection_sha256 ")
        current = nxt
        history.append(diff)
    if public and reveal is not None:
        r.same("listing.csv", files.get("listing.csv"), current, "listing.csv 与最后一次改派后的清单 ")
    if auditor_view and reveal is not None:
        r.same("selected.csv", files.get("selected.csv"), selected_csv(current), "selected.csv 与最后一份清单 ")
    if publish is not None:
        results = files.get("results.csv")
        if results is None:
            r.add("results.csv", False, "缺少 results.csv")
        else:
            try:
                rows = parse_csv("results.csv", results)
                r.same("results.sha256", sha256_hex(results), publish.get("results_sha256"), "results.csv 的哈希与公布条目 ")
                r.same("results.codes", sorted(row[0] for row in rows), sorted(outcome.tickets), "results.csv 的企业与抽中企业 ")
            except ProtocolError as exc:
                r.add("results.canonical", False, str(exc))
    return r.checks


def _open_recusals(r: _Report, files: Mapping[str, bytes], announce: Mapping) -> dict[str, set[str]] | None:
    """Protocol 2: the selected enterprises' recusal rows, each proven against the announced
    ``recusals_root``; with the auditors' whole ``recusals.csv`` also its root and rows."""
    data = files.get("recusals-selected.csv")
    if data is None:
        r.add("recusals-selected.present", False, "已揭示的协议 2 任务缺少 recusals-selected.csv，无法重算检查组")
        return None
    codes = directory_codes(files["directory.csv"])
    try:
        listed = [row[0] for row in parse_csv("recusals-selected.csv", data)]
    except ProtocolError as exc:
        r.add("recusals-selected.canonical", False, str(exc))
        return None
    opened, problems = open_selected(data, str(announce.get("recusals_root")), codes, listed)
    r.add("recusals-selected.proofs", not problems, "；".join(problems[:5]) if problems else
          f"recusals-selected.csv 的 {len(opened)} 行都由包含证明对应到公告时的 recusals_root")
    whole = files.get("recusals.csv")
    if whole is not None:  # the auditors' view: every pair, committed whole
        try:
            rows = parse_csv("recusals.csv", whole)
        except ProtocolError as exc:
            r.add("recusals.canonical", False, str(exc))
            return None
        r.same("recusals.root", recusals_root(whole), announce.get("recusals_root"), "recusals.csv 的默克尔根与公告条目 recusals_root ")
        r.same("recusals.codes", [row[0] for row in rows], codes, "recusals.csv 的企业与 directory.csv 的各行 ")
        whole_pairs = {row[0]: set(row[2]) for row in rows}
        bad = [c for c in opened if whole_pairs.get(c) != opened[c]]
        r.add("recusals.selected", not bad, f"recusals-selected.csv 与 recusals.csv 不一致：{bad[:5]}" if bad else "recusals-selected.csv 的各行与完整的 recusals.csv 一致")
    return opened if not problems else None


def _check_people(r: _Report, params: Mapping, files: Mapping[str, bytes], reveal: Mapping, v2: bool) -> None:
    """Protocol 2: ``people.csv`` (names, units, 执法证号 shown) is the file ``people_sha256``
    binds, and lists exactly the people of the listings (or of ``selected.csv``)."""
    if not v2:
        r.add("reveal.people_sha256", "people_sha256" not in reveal, "协议 1 的揭示条目不应有 people_sha256" if "people_sha256" in reveal else "协议 1：显示文件不受哈希约束")
        return
    data = files.get("people.csv")
    if data is None:
        r.add("people.present", False, "已揭示的协议 2 任务缺少 people.csv")
        return
    r.same("people.sha256", sha256_hex(data), reveal.get("people_sha256"), "people.csv 的哈希与揭示条目 people_sha256 ")
    try:
        ids = {row[0] for row in parse_csv("people.csv", data)}
    except ProtocolError as exc:
        r.add("people.canonical", False, str(exc))
        return
    shown: set[str] = set()
    names = sorted(n for n in files if n.startswith("listing-") and n.endswith(".csv"))
    try:
        if names:
            for name in names:
                for ln in parse_listing(files[name], name):
                    shown.update(ln.inspectors + ln.experts)
        elif "selected.csv" in files:
            for _code, insp, experts in parse_csv("selected.csv", files["selected.csv"]):
                shown.update(insp + experts)
    except ProtocolError:
        return  # reported by the listing checks
    if names:
        r.same("people.ids", sorted(ids), sorted(shown), "people.csv 的人员与各份清单中的检查人员和专家 ")
    else:
        r.add("people.ids", shown <= ids, "people.csv 列出 selected.csv 的每名人员" if shown <= ids else f"people.csv 缺少 {sorted(shown - ids)[:5]}")


def _check_sources(r: _Report, params: Mapping, files: Mapping[str, bytes], draw: Mapping) -> tuple[str, list] | None:
    """Draw time after every source; sources.json canonical; the key string recomputed."""
    for s in params["sources"]:
        ok = parse_time(draw.get("time", "")) > parse_time(s["scheduled"]) if draw.get("time") else False
        r.add(f"draw.time.{s['issue']}", ok, f"抽取条目时间 {draw.get('time')} 须晚于随机源 {s['name']} 开奖时间 {s['scheduled']}")
    try:
        sj = json.loads(files["sources.json"].decode("utf-8"))
        ok = canonicalize(sj) + b"\n" == files["sources.json"]
        numbers = [src["numbers"] for src in sj["sources"]]
        bad = [x for nums in numbers for x in nums if canonical_number(x) != x]
        counts_ok = [len(n) for n in numbers] == [s["count"] for s in params["sources"]]
        key = key_string(params["sources"], numbers)
    except (KeyError, ValueError, TypeError, ProtocolError) as exc:
        r.add("sources.json", False, f"sources.json 无效：{exc}")
        return None
    r.add("sources.canonical", ok and not bad and counts_ok, "sources.json 为规范 JCS 加换行，号码均为规范十进制且个数正确" if ok and not bad and counts_ok else f"sources.json 不规范（非规范号码 {bad}，个数正确：{counts_ok}）")
    r.same("key_string.sources", sj.get("key_string"), key, "sources.json 中的 key string 与由号码重算的结果 ")
    r.same("key_string.draw", draw.get("key_string"), key, "抽取条目的 key string 与重算结果 ")
    return key, numbers


# --------------------------------------------------------------------------- audit mode


def selected_csv(listing: bytes) -> bytes:
    """``selected.csv`` of an audit-mode task: the listing without stratum, ticket, fallback."""
    from .canonical import write_csv

    return write_csv("selected.csv", [(ln.code, ln.inspectors, ln.experts) for ln in parse_listing(listing)])


def _uses_risk(conditions: Sequence[Mapping]) -> bool:
    return any(c["column"] == "risk" for c in conditions)


def _public_rows(files: Mapping[str, bytes]) -> list[tuple[str, dict[str, str]]]:
    out = []
    for code, type_, industry, industry_risk, unit, registered, status in parse_csv("directory.csv", files["directory.csv"]):
        out.append((code, {
            "type": type_, "industry": industry, "industry_risk": industry_risk, "unit": unit,
            "registered": registered, "status": status,
        }))
    return out


def _maybe(conditions: Sequence[Mapping], row: Mapping[str, str]) -> bool:
    """Whether ``row`` can meet ``conditions`` for some risk class (risk conditions skipped)."""
    return all(meets(c, row) for c in conditions if c["column"] != "risk")


def _public_strata(r: _Report, params: Mapping, rows: list, announce: Mapping) -> None:
    """§13 implementation choice: N_before exactly for the strata that precede any use of
    ``risk``, and an upper bound for the sum of the rest."""
    announced = announce.get("strata")
    labels = [s["label"] for s in params["strata"]]
    if not isinstance(announced, list) or [a.get("label") for a in announced if isinstance(a, dict)] != labels:
        r.add("strata.labels", False, f"公告条目的分层标签应为 {labels}，实际为 {announced!r}")
        return
    got = {a["label"]: a.get("N_before") for a in announced}
    pop_risk = _uses_risk(params["population"])
    prefix = []
    if not pop_risk:
        for s in params["strata"]:
            if _uses_risk(s["when"]):
                break
            prefix.append(s)
    rest = params["strata"][len(prefix):]
    exact = {s["label"]: 0 for s in prefix}
    bound = 0
    for _code, row in rows:
        if not _maybe(params["population"], row):
            continue
        first = next((s for s in prefix if all(meets(c, row) for c in s["when"])), None)
        if first is not None:
            exact[first["label"]] += 1
        elif any(_maybe(s["when"], row) for s in rest):
            bound += 1
    for label, n in exact.items():
        r.same(f"strata.N_before.{label}", got[label], n, f"分层 {label} 排除前的企业数（不涉及风险分类，可公开重算）与公告条目 ")
    if rest:
        total = sum(got[s["label"]] for s in rest if isinstance(got[s["label"]], int))
        ok = total <= bound
        names = "、".join(s["label"] for s in rest)
        r.add("strata.N_before.risk", ok, f"按风险分类的分层 {names} 排除前合计 {total} 家，" + (
            f"不超过忽略风险分类条件时可能落入的 {bound} 家（具体分层成员由审计人员核验）" if ok
            else f"超过了忽略风险分类条件时可能落入的 {bound} 家"))


def _audit_public(
    r: _Report, params: Mapping, files: Mapping[str, bytes], announce: Mapping, draw: Mapping | None,
    reassigns: Sequence[Mapping], reveal: Mapping | None, publish: Mapping | None,
) -> None:
    """The public's checks of an audit-mode task: nothing that needs the code or risk.csv."""
    rows = _public_rows(files)
    _public_strata(r, params, rows, announce)
    refusals = (id_refusals(files) + recusal_refusals(params, files) + entropy_refusals(params)
                + timing_refusals(params, announce.get("time", "")))
    r.add("refusals", not refusals, "；".join(str(e) for e in refusals) or "不涉及风险分类的拒绝条件（编号、熵、开奖时间）均未触发")
    possible = {code for code, row in rows if _maybe(params["population"], row)}
    exclusions = files.get("exclusions.csv")
    if exclusions is not None:
        try:
            ex_rows = parse_csv("exclusions.csv", exclusions)
            r.same("exclusions.rows", row_count(exclusions), announce.get("inputs", {}).get("exclusions.csv", {}).get("rows"), "exclusions.csv 的行数与公告条目 ")
            bad = [c for c, rule, _, _ in ex_rows if c not in possible or rule not in params["exclusion_rules"]]
            r.add("exclusions.members", not bad, f"排除的企业不在抽取范围内或规则不属于本任务：{bad[:5]}" if bad else "每条排除均为抽取范围内的企业，规则属于本任务")
        except ProtocolError as exc:
            r.add("exclusions.canonical", False, str(exc))
    elif draw is not None and reveal is not None:
        r.add("exclusions.present", False, "缺少 exclusions.csv")
    if draw is None:
        return
    _check_sources(r, params, files, draw)
    for n, entry in enumerate(reassigns, start=1):
        r.same(f"reassign.{n}.count", entry.get("count"), n, f"第 {n} 次改派条目的 count ")
    if reveal is None:
        return
    data = files.get("selected.csv")
    if data is None:
        r.add("selected.csv", False, "已揭示的审计模式任务缺少 selected.csv")
        return
    try:
        selected = parse_csv("selected.csv", data)
    except ProtocolError as exc:
        r.add("selected.csv.canonical", False, str(exc))
        return
    roster = {row[0]: row for row in parse_csv("roster.csv", files["roster.csv"])}
    experts = {row[0]: row for row in parse_csv("experts.csv", files["experts.csv"])}
    g, n_experts = params["group_size"], params["experts"]["count"]
    recused: dict[str, set[str]] = {}
    if version(params) == 2 and draw.get("status") == "ok":  # the public can check recusals too
        codes = [row[0] for row in selected]
        if "recusals-selected.csv" not in files:
            r.add("recusals-selected.present", False, "已揭示的协议 2 任务缺少 recusals-selected.csv")
        else:
            recused, bad = open_selected(files["recusals-selected.csv"], str(announce.get("recusals_root")),
                                         directory_codes(files["directory.csv"]), codes)
            r.add("recusals-selected.proofs", not bad, "；".join(bad[:5]) if bad else
                  f"recusals-selected.csv 的 {len(recused)} 行都由包含证明对应到公告时的 recusals_root")
    ok_draw = draw.get("status") == "ok"
    problems = []
    for code, inspectors, expert_ids in selected:
        if code not in possible:
            problems.append(f"{code} 不在抽取范围内")
        if ok_draw or inspectors:
            if len(inspectors) != g:
                problems.append(f"{code} 的检查组应为 {g} 人，实际 {len(inspectors)} 人")
            if len(expert_ids) != n_experts:
                problems.append(f"{code} 的专家应为 {n_experts} 人，实际 {len(expert_ids)} 人")
        for i in inspectors:
            if i not in roster or not roster[i][2]:
                problems.append(f"{code} 的检查人员 {i} 不是名录中有执法资格的人员")
        for x in expert_ids:
            if x not in experts or code in experts[x][2]:
                problems.append(f"{code} 的专家 {x} 不在专家名录中或须回避")
        for pid in recused.get(code, set()) & set(inspectors + expert_ids):
            problems.append(f"{code} 的组员 {pid} 在公告时承诺的回避中")
    r.add("selected.csv.groups", not problems, "；".join(problems[:10]) if problems else
          f"selected.csv 的 {len(selected)} 家企业均在抽取范围内，每组 {g} 名有执法资格的人员")
    if publish is not None:
        results = files.get("results.csv")
        if results is None:
            r.add("results.csv", False, "缺少 results.csv")
            return
        try:
            res = parse_csv("results.csv", results)
        except ProtocolError as exc:
            r.add("results.canonical", False, str(exc))
            return
        r.same("results.sha256", sha256_hex(results), publish.get("results_sha256"), "results.csv 的哈希与公布条目 ")
        r.same("results.codes", [row[0] for row in res], [row[0] for row in selected], "results.csv 的企业与 selected.csv ")


def _auditor_keys(r: _Report, data: bytes | None) -> dict[str, object] | None:
    from ..tlog.note import NoteError, parse_verifier_key

    if data is None:
        return None
    keys: dict[str, object] = {}
    try:
        text = data.decode("utf-8")
        if not text.endswith("\n"):
            raise NoteError("log/auditors.pub 每行须以换行结尾")
        for line in text[:-1].split("\n"):
            key = parse_verifier_key(line)
            if key.name in keys:
                raise NoteError(f"log/auditors.pub 中审计人员 {key.name} 有多把公钥")
            keys[key.name] = key
    except (UnicodeDecodeError, NoteError) as exc:
        r.add("auditors.pub", False, f"log/auditors.pub 无效：{exc}")
        return {}
    return keys


def _check_audits(
    r: _Report, task: str, audits: Sequence[Mapping], reveal: Mapping | None, auditors_pub: bytes | None,
) -> None:
    """The auditors' signed ``audit`` entries (§13): named at reveal, signed, verdict ok."""
    if reveal is not None and not audits:
        r.add("audit.present", False, f"审计模式任务 {task} 已揭示，但还没有审计人员的 audit 条目", "warning")
    if not audits:
        return
    keys = _auditor_keys(r, auditors_pub)
    named = reveal.get("auditors", []) if reveal is not None else []
    for entry in audits:
        who, seq = entry.get("auditor"), entry.get("seq")
        where = f"audit 条目（seq {seq}，审计人员 {who}）"
        r.add(f"audit.{seq}.named", who in named, f"{where}：审计人员列于揭示条目" if who in named else f"{where}：审计人员不在揭示条目的 auditors {named} 中")
        key = (keys or {}).get(who)
        if key is None:
            r.add(f"audit.{seq}.signature", False, f"{where}：log/auditors.pub 中没有该审计人员的公钥，无法核验签名")
        else:
            message = canonicalize({k: v for k, v in entry.items() if k not in ("signature", "hash")})
            try:
                signature = base64.b64decode(str(entry.get("signature", "")), validate=True)
            except binascii.Error:
                signature = b""
            ok = key.verify(message, signature)
            r.add(f"audit.{seq}.signature", ok, f"{where}：签名有效" if ok else f"{where}：签名无效（条目被改动或不是该审计人员所签）")
        ok = entry.get("verdict") == "ok"
        r.add(f"audit.{seq}.verdict", ok, f"{where}：审计结论为一致（ok）" if ok else f"{where}：审计结论为不一致（{entry.get('verdict')}）")
