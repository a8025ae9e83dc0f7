"""The fast paths of statistics, labels, histories and the results downloads give exactly what
the straightforward per-row code gives (kept here as the reference), on the fixture and on
adversarial values (CSV and JSON specials, braces, formula starts, unknown codes)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from generator.model import Model, Term, Vocabulary
from generator.site import downloads, labels, pages, stats
from generator.site import view as v
from generator.site.fixtures import fixture_model_with_results

AS_OF = dt.date(2023, 12, 29)
NASTY = ["", "=1+2", "+x", "-3", "@a", "\tx", "\rx", "a,b", 'say "hi"', "line\nbreak",
         "cr\rlf\r\n", "{0}", "}{", "{{}}", "<b>&amp;</b>", "'quoted'", " lead", "trail ",
         "\x00nul", "\x01\x1f\x7f", "back\\slash", "\u2028\u3000中文", "a\u0085b", "\"", ","]


# -- references: the code before the fast paths -----------------------------------------------

def _reference_stats(model: Model, view: v.PublicView) -> stats.Stats:
    by_item: Counter = Counter()
    by_unit: Counter = Counter()
    by_industry: Counter = Counter()
    by_year: Counter = Counter()
    by_result: Counter = Counter()
    codes: set[str] = set()
    inspected = 0
    for tv in view.tasks:
        for r in tv.results or ():
            inspected += 1
            codes.add(r.code)
            ent = model.enterprises.get(r.code)
            for item in tv.task.items:
                item_obj = model.item(item)
                by_item[item_obj.name if item_obj else item] += 1
            if ent:
                by_unit[labels.unit_name(model, ent.unit)] += 1
                by_industry[ent.industry] += 1
            by_year[str(tv.task.year)] += 1
            # a value counts once per result, its variant wordings with it (vocabulary 同义)
            by_result.update(model.vocab.results.label(c)
                             for c in {model.vocab.results.canonical(c) for c in r.results})
    kinds = Counter(tv.publication.kind for tv in view.tasks)
    order = stats._sorted
    return stats.Stats(
        tasks=len(view.tasks), announced=sum(1 for tv in view.tasks if tv.announce),
        published=sum(1 for tv in view.tasks if tv.published), inspected=inspected,
        enterprises=len(codes), on_time=kinds[v.ON_TIME], late=kinds[v.LATE],
        overdue=kinds[v.OVERDUE], by_item=order(by_item), by_unit=order(by_unit),
        by_industry=order(by_industry), by_year=sorted(by_year.items()),
        by_result=order(by_result))


def _reference_histories(view: v.PublicView) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for tv in view.tasks:
        if not tv.published:
            continue
        for r in tv.results or ():
            out.setdefault(r.code, []).append({"tv": tv, "result": r})
    for rows in out.values():
        rows.sort(key=lambda x: (x["result"].inspected, x["tv"].task.id))
    return out


def _json_lines(records: list[dict]) -> list[str]:
    return [downloads._json_safe(json.dumps(rec, ensure_ascii=False, sort_keys=True))
            for rec in records]


def _reference_results(model: Model, view: v.PublicView) -> dict[str, bytes]:
    """Every results file as the record-by-record code writes it."""
    out: dict[str, bytes] = {}
    every: list[dict] = []
    for tv in view.tasks:
        if not tv.published:
            continue
        records = downloads.result_records(model, tv)
        out[f"data/{tv.task.id}/results.csv"] = downloads.to_csv(records)
        out[f"data/{tv.task.id}/results.json"] = downloads._json_list(_json_lines(records))
        every += records
    out["data/results.csv"] = downloads.to_csv(every)
    out["data/results.json"] = downloads._json_list(_json_lines(every))
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# -- models ------------------------------------------------------------------------------------

def _adversarial() -> tuple[Model, v.PublicView]:
    """The fixture with specials in every text that reaches the downloads, duplicate and
    unknown codes, a published task without results and one whose enterprise is unknown."""
    model, view = fixture_model_with_results(AS_OF)
    rng = random.Random(7)
    ents = dict(model.enterprises)
    for n, code in enumerate(sorted(ents)):
        ents[code] = dataclasses.replace(ents[code], name=NASTY[n % len(NASTY)] + ents[code].name,
                                         unit=["s01", "s02", "nowhere"][n % 3])
    vocab = model.vocab
    results_vocab = Vocabulary("results", (*vocab.results.terms, Term("E", "同名{0}"),
                                           Term("Z", "发现问题待后续处理")), True)
    vocab = dataclasses.replace(vocab, results=results_vocab)
    portal = dataclasses.replace(model.portal, office_name="示例{局},\"<&>\"")
    items = (*model.items, dataclasses.replace(model.items[0], name="重复的事项"))
    tasks = []
    published = [tv for tv in view.tasks if tv.published]
    assert len(published) >= 2
    for n, tv in enumerate(view.tasks):
        if not tv.published:
            tasks.append(tv)
            continue
        task = dataclasses.replace(tv.task, title=NASTY[n % len(NASTY)] + "任务{x}\"," + tv.task.title,
                                   items=(*tv.task.items, "SJ01", "UNKNOWN"))
        rows = []
        for k, r in enumerate(tv.results or ()):
            codes = rng.choice([(), ("1",), ("E", "A"), ("Z",), ("??", "1"), ("A", "A")])
            rows.append(dataclasses.replace(
                r, note=NASTY[(n + k) % len(NASTY)], results=codes,
                followups=rng.choice([(), ("order",), ("none", "case"), ("x,y",)]),
                inspected=r.inspected + dt.timedelta(days=rng.randrange(3))))
        listing = list(tv.listing or ())
        listing[0] = dataclasses.replace(listing[0], inspector_ids=("NOBODY", "{1}"))
        tasks.append(dataclasses.replace(tv, task=task, results=tuple(rows), listing=tuple(listing)))
    first = tasks[0] if tasks[0].published else next(t for t in tasks if t.published)
    stranger = dataclasses.replace(first.results[0], code="=NOT-IN-DIRECTORY,\"x\"")
    tasks.append(dataclasses.replace(
        first, task=dataclasses.replace(first.task, id="-empty", year=2022), results=(),
        listing=()))
    tasks.append(dataclasses.replace(
        first, task=dataclasses.replace(first.task, id="zz-stranger", directed=False),
        results=(stranger, *first.results[:2]), listing=first.listing))
    model = dataclasses.replace(model, enterprises=ents, vocab=vocab, portal=portal,
                                items=items, tasks=tuple(tv.task for tv in tasks))
    return model, dataclasses.replace(view, tasks=tuple(tasks))


@pytest.fixture(scope="module", params=["fixture", "adversarial"])
def model_view(request):
    if request.param == "fixture":
        return fixture_model_with_results(AS_OF)
    return _adversarial()


# -- statistics, labels, histories ----------------------------------------------------------

def test_stats_as_counted_row_by_row(model_view):
    model, view = model_view
    assert stats.compute(model, view) == _reference_stats(model, view)


def test_stats_without_results():
    model, view = fixture_model_with_results(AS_OF)
    empty = dataclasses.replace(view, tasks=tuple(
        dataclasses.replace(tv, results=None, listing=None) for tv in view.tasks))
    assert stats.compute(model, empty) == _reference_stats(model, empty)
    assert stats.compute(model, dataclasses.replace(view, tasks=())) == \
        _reference_stats(model, dataclasses.replace(view, tasks=()))


def test_labels_as_vocabulary_label(model_view):
    model, _ = model_view
    for vocab, fn in ((model.vocab.results, labels.results),
                      (model.vocab.followups, labels.followups),
                      (model.vocab.methods, labels.methods)):
        codes = [t.code for t in vocab.terms] + ["??", "", "x,y"]
        for n in range(4):
            for combo in (tuple(codes[n::3]), tuple(codes[:n]), ()):
                assert fn(model, combo) == ("、".join(vocab.label(c) for c in combo) or "—")
    # another vocabulary object: its own labels, nothing stale
    other = dataclasses.replace(model.vocab, results=Vocabulary(
        "results", tuple(Term(t.code, "别的" + t.label) for t in model.vocab.results.terms)))
    other_model = dataclasses.replace(model, vocab=other)
    code = model.vocab.results.terms[0].code
    assert labels.results(other_model, (code,)) == other.results.label(code)
    assert labels.results(model, (code,)) == model.vocab.results.label(code)


def test_histories_as_grouped_row_by_row(model_view):
    model, view = model_view
    assert pages._histories(model, view) == _reference_histories(view)


# -- results downloads ------------------------------------------------------------------------

def test_csv_and_json_fields_as_the_libraries_write_them():
    rng = random.Random(11)
    pool = [",", '"', "\r", "\n", "\t", " ", "=", "+", "-", "@", "'", "{", "}", "<", ">", "&",
            "\x00", "\x01", "\x1f", "\x7f", "\u2028", "\u3000", "\\", "a", "中", "\U0001f600"]
    samples = NASTY + ["".join(rng.choice(pool) for _ in range(rng.randrange(8)))
                       for _ in range(3000)]
    for s in samples:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\r\n").writerow([downloads._cell(s), "x"])
        assert downloads._pair(s) == (buf.getvalue()[:-len(",x\r\n")],
                                      json.dumps(s, ensure_ascii=False)), repr(s)


def test_results_files_as_written_record_by_record(model_view, tmp_path):
    model, view = model_view
    written = downloads.write_results(tmp_path, model, view)
    expected = _reference_results(model, view)
    assert sorted(expected) == written
    assert _files(tmp_path) == expected


def test_results_of_an_office_without_published_results(tmp_path):
    model, view = fixture_model_with_results(AS_OF)
    for n, tasks in enumerate([(), tuple(tv for tv in view.tasks if not tv.published)]):
        empty = dataclasses.replace(view, tasks=tasks)
        site = tmp_path / str(n)
        assert downloads.write_results(site, model, empty,
                                       reuse=lambda t: None) == ["data/results.csv",
                                                                 "data/results.json"]
        assert _files(site) == _reference_results(model, empty)
        assert (site / "data/results.json").read_bytes() == b"[]\n"


@pytest.mark.parametrize("which", ["all", "none", "some", "others", "missing"])
def test_reused_task_files_give_the_same_bytes(model_view, tmp_path, which):
    """A task's files taken from a previous site (hard-linked) rather than encoded: every
    file, the whole-office ones included, is the same as when every task is encoded."""
    model, view = model_view
    before = tmp_path / "before"
    downloads.write_results(before, model, view)
    ids = [tv.task.id for tv in view.tasks if tv.published]
    chosen = {"all": set(ids), "none": set(), "some": set(ids[::2]),
              "others": set(ids[1::2]), "missing": set(ids)}[which]
    asked: list[str] = []

    def reuse(task_id: str) -> Path | None:
        asked.append(task_id)
        if which == "missing":
            return tmp_path / "nowhere" / task_id  # unreadable: encoded instead
        return before / "data" / task_id if task_id in chosen else None

    after = tmp_path / "after"
    written = downloads.write_results(after, model, view, reuse=reuse)
    assert asked == ids
    assert written == sorted(_reference_results(model, view))
    assert _files(after) == _files(before) == _reference_results(model, view)
    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    try:
        os.link(probe, tmp_path / "probe-link")
        links = True
    except OSError:  # a file system without hard links: reused files are copied
        links = False
    for task_id in ids:
        for name in ("results.csv", "results.json"):
            same = os.path.samefile(before / "data" / task_id / name,
                                    after / "data" / task_id / name)
            assert same == (links and task_id in chosen and which != "missing")
    # writing again over the linked files leaves the previous site alone
    kept = _files(before)
    other = dataclasses.replace(view, tasks=tuple(
        dataclasses.replace(tv, results=tuple(tv.results[:1])) if tv.published else tv
        for tv in view.tasks))
    downloads.write_results(after, model, other)
    assert _files(before) == kept
    assert _files(after) == _reference_results(model, other)


def test_reuse_of_the_site_being_written(tmp_path):
    model, view = fixture_model_with_results(AS_OF)
    downloads.write_results(tmp_path, model, view)
    expected = _files(tmp_path)
    downloads.write_results(tmp_path, model, view, reuse=lambda t: tmp_path / "data" / t)
    assert _files(tmp_path) == expected


def test_reused_files_of_another_shape_are_encoded_again(tmp_path):
    """Files not shaped as write_results writes them are not trusted as rows and lines."""
    model, view = fixture_model_with_results(AS_OF)
    ids = [tv.task.id for tv in view.tasks if tv.published]
    old = tmp_path / "old"
    for n, task_id in enumerate(ids):
        (old / task_id).mkdir(parents=True)
        (old / task_id / "results.csv").write_bytes(b"other header\r\n" if n % 2 else
                                                    downloads.to_csv([]))
        (old / task_id / "results.json").write_bytes(b"[1]" if n % 2 else b"[\n\n]\n")
    downloads.write_results(tmp_path / "site", model, view, reuse=lambda t: old / t)
    assert _files(tmp_path / "site") == _reference_results(model, view)
