"""Statistics a journalist can quote: values counted by their canonical code, totals that match
the sentence next to them, timeliness per department."""

from __future__ import annotations

import dataclasses
import re

from site_helpers import fixture

from generator.load.base import LoadContext
from generator.load.vocab import load_vocabularies
from generator.model import Term
from generator.site import stats
from generator.site.pages import Renderer

VARIANT = Term("E-1", "发现问题已责令改正", note="与 E 同义的写法", same_as="E")


def _with_variant_wording():
    """The fixture with the variant wording E-1 of E in its vocabulary; in task 2023-01 one
    more row reads E-1 and another both E and E-1 (once each, by the canonical code)."""
    model, view = fixture()
    vocab = dataclasses.replace(model.vocab.results, terms=model.vocab.results.terms + (VARIANT,))
    model = dataclasses.replace(model, vocab=dataclasses.replace(model.vocab, results=vocab))
    tv = view.task("2023-01")
    results = list(tv.results)
    plain = [i for i, r in enumerate(results) if r.results == ("1",)]
    results[plain[0]] = dataclasses.replace(results[plain[0]], results=("E-1",))
    results[plain[1]] = dataclasses.replace(results[plain[1]], results=("E-1", "E"))
    e_rows = [i for i, r in enumerate(results) if r.results in (("E",), ("E-1",), ("E-1", "E"))]
    assert len(e_rows) >= 3
    tasks = tuple(dataclasses.replace(t, results=tuple(results)) if t is tv else t
                  for t in view.tasks)
    return model, dataclasses.replace(view, tasks=tasks), len(e_rows)


def test_a_value_in_two_variant_wordings_is_counted_once():
    model, view, rows_with_e = _with_variant_wording()
    st = stats.compute(model, view)
    by_result = dict(st.by_result)
    assert "发现问题已责令改正" not in by_result
    others = sum(1 for tv in view.tasks if tv.task.id != "2023-01"
                 for r in tv.results or () if {"E", "E-1"} & set(r.results))
    assert by_result["发现问题经责令已改正"] == rows_with_e + others
    counts = dict(stats.result_counts(model, view.task("2023-01")))
    assert counts == {**counts, "发现问题经责令已改正": rows_with_e}
    assert "发现问题已责令改正" not in counts
    # the task page says the same
    html = Renderer(model, view).task_page(view.task("2023-01")).html
    assert f"发现问题经责令已改正 {rows_with_e} 户" in html


def test_vocabulary_file_marks_variants_and_refuses_unknown_ones(tmp_path):
    (tmp_path / "vocab").mkdir()
    (tmp_path / "vocab" / "results.yaml").write_text(
        "- {代码: E, 名称: 发现问题经责令已改正}\n"
        "- {代码: E-1, 名称: 发现问题已责令改正, 同义: E}\n"
        "- {代码: E-2, 名称: 已改正, 同义: Q}\n", encoding="utf-8")
    ctx = LoadContext(tmp_path)
    vocabs = load_vocabularies(ctx)
    assert vocabs.results.canonical("E-1") == "E"
    bad = [f for f in ctx.findings if f.severity == "error"]
    assert len(bad) == 1 and "同义代码 Q" in bad[0].message and bad[0].value == "Q"


def test_default_vocabulary_counts_its_variants_as_their_terms(tmp_path):
    ctx = LoadContext(tmp_path)
    canon = load_vocabularies(ctx).results.canonical
    assert canon("E-1") == "E" and canon("8-1") == canon("8-2") == "8" and canon("C-1") == "C"


def test_figures_match_the_sentence_next_to_them():
    model, view = fixture()
    renderer = Renderer(model, view)
    page = next(p for p in renderer.section_pages() if p.src_uri == "stats/index.md").html
    st = renderer.st
    sentence = re.search(r"本站共列出抽查任务 (\d+) 个，其中已公告 (\d+) 个，检查结果已公示 (\d+) 个", page)
    assert sentence and tuple(map(int, sentence.groups())) == (st.tasks, st.announced, st.published)
    assert f"只计这 {st.published} 个结果已公示的任务" in page
    assert st.inspected == sum(len(tv.results or ()) for tv in view.tasks)
    assert sum(n for _, n in st.by_department) == st.inspected
    assert sum(row[1] for row in st.timeliness) == st.tasks
    assert sum(row[3] for row in st.timeliness) == st.on_time
    assert f"按时公示率 {st.on_time_rate}" in page
