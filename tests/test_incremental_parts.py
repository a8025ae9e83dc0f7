"""The pieces incremental builds rely on: fingerprints stable across processes, the compiled
leak rules cached by their inputs, whole-office files judged by their parts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
from pathlib import Path

from generator.site import leak
from generator.site.fixtures import fixture_model_with_results

ROOT = Path(__file__).resolve().parents[1]

_DIGESTS = r"""
import datetime as dt, hashlib, json, sys
from generator.site import fastpath, pages
from generator.site.source import load_view
model, view, _ = load_view("data", dt.date(2023, 12, 29))
r = pages.Renderer(model, view)
fps = fastpath.task_fingerprints(r) | fastpath.enterprise_fingerprints(r)
shells = {"tasks": fastpath.Shell("<title>x</title>" + fastpath.SHELL_CONTENT)}
print(json.dumps([fastpath.global_digest(r, shells), fps], sort_keys=True))
"""


def test_fingerprints_do_not_depend_on_the_process_hash_seed():
    """The demo's portal holds sets (holiday schedules): a digest over their repr or pickle
    differed from one process to the next, so every incremental build re-rendered every page."""
    outs = set()
    for seed in ("1", "2", "3"):
        proc = subprocess.run([sys.executable, "-c", _DIGESTS], cwd=ROOT, capture_output=True,
                              text=True, check=True, env={"PYTHONHASHSEED": seed,
                                                          "PATH": "/usr/bin:/bin"})
        outs.add(proc.stdout)
    assert len(outs) == 1 and len(next(iter(outs))) > 10_000


class _Table(dict):
    """A directory with a content digest, as the loader's DirectoryTable has."""

    digest = "directory-v1"


def _model_view():
    model, view = fixture_model_with_results(dt.date(2023, 12, 29))
    return dataclasses.replace(model, enterprises=_Table(model.enterprises)), view


def test_compiled_rules_are_reused_only_for_the_same_inputs(tmp_path, monkeypatch):
    model, view = _model_view()
    first = leak.scanner_for(model, view, tmp_path)
    assert (tmp_path / "scanner.pickle").is_file()
    compiled = []
    real = leak.forbidden_values
    monkeypatch.setattr(leak, "forbidden_values",
                        lambda m, v: compiled.append(1) or real(m, v))
    again = leak.scanner_for(model, view, tmp_path)
    assert compiled == [] and again.digest == first.digest  # from the cache
    # another directory content, another inspector name, another embargo: compiled again
    other = dataclasses.replace(model, enterprises=type("T", (_Table,), {"digest": "v2"})(
        model.enterprises))
    leak.scanner_for(other, view, tmp_path)
    renamed = dataclasses.replace(model, inspectors=tuple(
        dataclasses.replace(i, name=i.name + "甲") for i in model.inspectors))
    assert leak.scanner_for(renamed, view, tmp_path).digest != first.digest
    embargo = dataclasses.replace(view.embargo, names=view.embargo.names | {"示例秘密名称公司"})
    hidden = dataclasses.replace(view, embargo=embargo)
    assert "示例秘密名称公司" in leak.forbidden_values(model, hidden)["未公示企业名称"]
    assert leak.scanner_for(model, hidden, tmp_path).digest != first.digest
    assert len(compiled) == 4


def test_a_damaged_rules_cache_is_ignored(tmp_path):
    model, view = _model_view()
    want = leak.scanner_for(model, view, tmp_path).digest
    path = tmp_path / "scanner.pickle"
    for damage in (b"", path.read_bytes()[:100], path.read_bytes()[:64] + b"garbage"):
        path.write_bytes(damage)
        assert leak.scanner_for(model, view, tmp_path).digest == want


def _site(tmp_path: Path, parts: dict[str, str], whole: str) -> Path:
    for rel, text in {**parts, "data/results.csv": whole}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, "utf-8")
    return tmp_path


def test_a_whole_office_file_is_judged_by_its_parts_when_no_value_spans_lines(tmp_path):
    model, view = fixture_model_with_results(dt.date(2023, 12, 29))
    rules = leak.forbidden_values(model, view)
    secret = sorted(n for n in rules["未公示企业名称"] if len(n) >= 4)[0]
    scanner = leak.Scanner(rules)
    assert scanner.line_safe
    header = "代码,名称\r\n"
    parts = {"data/a/results.csv": header + "1,甲公司\r\n", "data/b/results.csv": header}
    # a whole-office file that is NOT the parts joined (it holds a leak): skipped when the
    # parts are clean, which shows the parts decide; scanned when asked to scan it
    site = _site(tmp_path, parts, header + f"1,{secret}\r\n")
    composed = {"data/results.csv": sorted(parts)}
    assert leak.scan(site, model, view, scanner=scanner, composed=composed) == []
    assert {x.file for x in leak.scan(site, model, view, scanner=scanner)} == {
        "data/results.csv"}
    # a leak in a part: the part is reported and the whole file scanned as well
    (site / "data/b/results.csv").write_text(header + f"2,{secret}\r\n", "utf-8")
    found = {x.file for x in leak.scan(site, model, view, scanner=scanner, composed=composed)}
    assert found == {"data/b/results.csv", "data/results.csv"}


def test_a_value_with_a_line_break_makes_the_whole_file_scanned(tmp_path):
    model, view = fixture_model_with_results(dt.date(2023, 12, 29))
    rules = leak.forbidden_values(model, view)
    rules["未公示企业名称"] = set(rules["未公示企业名称"]) | {"跨行\r\n名称公司"}
    scanner = leak.Scanner(rules)
    assert not scanner.line_safe
    header = "代码,名称\r\n"
    parts = {"data/a/results.csv": header + "1,跨行\r\n", "data/b/results.csv": header
             + "名称公司,2\r\n"}
    site = _site(tmp_path, parts, header + "1,跨行\r\n名称公司,2\r\n")
    found = leak.scan(site, model, view, scanner=scanner,
                      composed={"data/results.csv": sorted(parts)})
    assert [(x.file, x.value) for x in found] == [("data/results.csv", "跨行\r\n名称公司")]


def _fingerprints(model, view):
    from generator.site import fastpath, pages

    r = pages.Renderer(model, view)
    tasks = fastpath.task_fingerprints(r)
    return r, tasks


def test_enterprise_fingerprints_of_untouched_tasks_are_carried_over(monkeypatch):
    """Only the enterprises of tasks whose page fingerprint changed get a new fingerprint
    computed; the result equals computing every one (also when an enterprise loses a result
    but keeps others, and when a task loses all its results)."""
    from generator.site import fastpath

    model, view = _model_view()
    r, tasks = _fingerprints(model, view)
    previous = fastpath.BuildCache(pages=tasks | fastpath.enterprise_fingerprints(r),
                                   directory_digest="directory-v1",
                                   task_codes=fastpath.task_codes(r))
    counts = {code: len(h) for code, h in r.histories.items()}
    multi = next(tv for tv in view.tasks if tv.results and any(
        counts[x.code] > 1 for x in tv.results))
    keep = next(x for x in multi.results if counts[x.code] > 1)
    changes = {
        "one date": lambda tv: dataclasses.replace(tv, results=(dataclasses.replace(
            tv.results[0], inspected=tv.results[0].inspected - dt.timedelta(days=1)),)
            + tv.results[1:]),
        "one result less": lambda tv: dataclasses.replace(
            tv, results=tuple(x for x in tv.results if x != keep)),
        "no results": lambda tv: dataclasses.replace(tv, results=()),
    }
    real = fastpath._enterprise_fingerprint
    calls: list[int] = []

    def counted(*a):
        calls.append(1)
        return real(*a)

    for label, change in changes.items():
        view2 = dataclasses.replace(view, tasks=tuple(
            change(tv) if tv.task.id == multi.task.id else tv for tv in view.tasks))
        r2, tasks2 = _fingerprints(model, view2)
        calls.clear()
        monkeypatch.setattr(fastpath, "_enterprise_fingerprint", counted)
        carried = fastpath.enterprise_fingerprints(r2, previous, tasks2)
        monkeypatch.setattr(fastpath, "_enterprise_fingerprint", real)
        assert carried == fastpath.enterprise_fingerprints(r2), label
        assert carried != {k: v for k, v in previous.pages.items()
                           if k.startswith("enterprises/")}, label
        # only the pages showing the task, of the enterprises still with a page
        assert 0 < len(calls) <= len(previous.task_codes[multi.task.id]) < len(r.histories)
    # another directory content: every fingerprint computed again
    other = dataclasses.replace(model, enterprises=type("T", (_Table,), {"digest": "v2"})(
        model.enterprises))
    r3, tasks3 = _fingerprints(other, view)
    assert fastpath.enterprise_fingerprints(r3, previous, tasks3) == \
        fastpath.enterprise_fingerprints(r3)


def test_column_lookup_and_statistics_equal_the_per_enterprise_ones():
    from generator import load
    from generator.site import stats

    model, _ = load.load_model(ROOT / "data")
    table = model.enterprises
    codes = list(table)[:40] + ["91110000000000000X", "short", 7, list(table)[3]]
    for field in ("unit", "industry", "entity_type", "status"):
        want = [getattr(table.get(c), field) if table.get(c) else None for c in codes]
        assert table.column_of(codes, field) == want, field
    from generator.site.source import load_view

    model, view, _ = load_view(str(ROOT / "data"), dt.date(2023, 12, 29))
    plain = dataclasses.replace(model, enterprises=dict(model.enterprises.items()))
    got = stats.compute(model, view)
    assert got == stats.compute(plain, view) and got.by_unit and got.by_industry


def test_the_search_key_follows_what_the_records_are_made_of():
    from generator.site import fastpath, pages
    from generator.site.source import load_view

    model, view, _ = load_view(str(ROOT / "data"), dt.date(2023, 12, 29))
    assert model.enterprises.digest
    key = fastpath.search_key(pages.Renderer(model, view))
    assert key == fastpath.search_key(pages.Renderer(model, view))
    retitled = dataclasses.replace(view, tasks=(dataclasses.replace(
        view.tasks[0], task=dataclasses.replace(view.tasks[0].task, title="新标题")),)
        + view.tasks[1:])
    other_dir = dataclasses.replace(model, enterprises=model.enterprises)
    keys = {key, fastpath.search_key(pages.Renderer(model, retitled))}
    table = model.enterprises
    table.digest, saved = "another", table.digest
    try:
        keys.add(fastpath.search_key(pages.Renderer(other_dir, view)))
    finally:
        table.digest = saved
    fewer = dataclasses.replace(view, tasks=tuple(
        dataclasses.replace(tv, results=()) if tv.results else tv for tv in view.tasks[:1])
        + view.tasks[1:])
    keys.add(fastpath.search_key(pages.Renderer(model, fewer)))
    assert len(keys) == 4


def test_directory_checks_read_column_wise_find_what_the_row_by_row_ones_find(tmp_path):
    """pii, uscc and risk over a DirectoryTable (batches, distinct values, a vectorised code
    check) report exactly what they report over the same enterprises as a plain dict."""
    import shutil

    from generator import load
    from generator.checks import CheckContext, pii, risk, uscc
    from generator.protocol.encoding import uscc_check_char

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "directory" / "enterprises-2023.csv"
    text = path.read_bytes().decode("gb18030")
    row = text.splitlines()[1].split(",")
    bad = []
    for n, (name, address, industry_risk, code) in enumerate([
            ("示例手机公司", "示例路１３８ ００１３ ８０００号", "中", None),  # full-width, spaced
            ("示例身份公司", "住所11010519491231002X", "中", None),
            ("示例风险公司", "示例路1号", "信用风险较高", None),
            ("示例代码公司", "示例路2号", "中", row[0][:-1] + ("0" if row[0][-1] != "0" else "1")),
    ]):
        cells = list(row)
        first17 = f"9141999900000{n:04d}"
        cells[0] = code or first17 + uscc_check_char(first17)
        cells[1], cells[8], cells[4] = name, address, industry_risk
        bad.append(",".join(cells))
    path.write_bytes((text.rstrip("\r\n") + "\r\n" + "\r\n".join(bad) + "\r\n").encode("gb18030"))
    model, _ = load.load_model(data)
    assert hasattr(model.enterprises, "batches")
    plain = dataclasses.replace(model, enterprises=dict(model.enterprises.items()))
    ctx = CheckContext.for_model(model, dt.date(2023, 12, 29))
    for check in (pii.check, uscc.check, risk.check):
        got = check(model, ctx)
        assert got == check(plain, ctx), check.__module__
    rules = {f.rule for check in (pii.check, risk.check) for f in check(model, ctx)}
    assert {"pii.mobile", "pii.id_card", "risk.public_column"} <= rules
    clean, _ = load.load_model(ROOT / "data")
    clean_plain = dataclasses.replace(clean, enterprises=dict(clean.enterprises.items()))
    for check in (pii.check, uscc.check, risk.check):
        assert check(clean, ctx) == check(clean_plain, ctx)
