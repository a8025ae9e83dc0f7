"""Hostile variants of the code-built fixture (generator.site.fixtures) for renderer fuzzing.

Every rendered string field of the fixture model (office and unit names, enterprise names,
addresses, industries, task titles and descriptions, stratum names, item fields, inspector
names and titles, expert names, result notes, vocabulary labels) is replaced by a *tagged*
hostile value ``<payload>·HX<nnn>``: the tag makes each value unique (so the leak scanner's
embargo rules still mean something) and lets a test find exactly where a value was rendered.

``hostile_fixture`` returns ``(model, view, values)`` where ``values`` maps a field path such as
``enterprise.name:<code>`` to the exact string put there. ``build_hostile_site`` builds a site
from such a model with the real pipeline (``generator.site.build.build_site``), injecting the
model and view where ``load_view`` would load them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html.parser
import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from unittest import mock

from generator.model import Model, Term, Vocabulary
from generator.site import build as site_build
from generator.site import fixtures as fx
from generator.site.view import PublicView

AS_OF = dt.date(2023, 12, 29)

#: Payloads tried in every rendered field (round robin, and drawn by hypothesis).
PAYLOADS: tuple[str, ...] = (
    "<script>alert(1)</script>",
    "</script><script>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    '"><svg onload=alert(4)>',
    "' onmouseover='alert(5)' x='",
    "**粗体** _斜体_ [链接](javascript:alert(6)) ![图](x.png) <https://evil.example/>",
    "# 标题\n\n- 列表项\n\n```\ncode\n```\n| a | b |\n|---|---|",
    "{{ config.site_name }}{% if true %}JINJA{% endif %}{# c #}",
    "{{ 7*7 }}{%- raw -%}{% endraw %}",
    "key: value\n- item\n---\n!!python/object/apply:os.system ['ls']\n&a *a",
    "&amp; &lt;b&gt; &#x3c;script&#62; &",
    "]]><!-- x --> <![CDATA[y]]> -->",
    "</title></textarea></style></noscript><plaintext>",
    "<style>body{display:none}</style><iframe src=//evil.example></iframe>",
    "\u200b\u200c\u200d\u2060\ufeff零宽字符",
    "\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c反向控制",
    "😀👩\u200d👩\u200d👧\u200d👦🇨🇳 emoji",
    "=HYPERLINK(\"http://evil.example\",\"点击\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "javascript:alert(7)",
    "\\u003cscript\\u003e \\\" \\\\",
    "长" * 4000,
    "<a href=\"x\">未闭合",
    "%3Cscript%3E ${7*7} `反引号` $(id)",
)

TAG = re.compile(r"·HX\d{3}")


def _tagger(payloads: Sequence[str]) -> Iterator[str]:
    cycle = itertools.cycle(payloads)
    for n in itertools.count():
        yield f"{next(cycle)}·HX{n:03d}"


def _no_comma(s: str) -> str:
    # directory columns are written unquoted into the fixture's directory.csv (PROTOCOL's
    # canonical CSV forbids separators in values): keep that file well-formed.
    return s.replace(",", "，").replace("\n", " ").replace("\r", " ").replace('"', "”")


def hostile_fixture(payloads: Sequence[str] = PAYLOADS, as_of: dt.date = AS_OF,
                    ) -> tuple[Model, PublicView, dict[str, str]]:
    """The fixture model and view with every rendered string field replaced."""
    base = fx.fixture_model()
    tag = _tagger(payloads)
    values: dict[str, str] = {}

    def put(key: str, value: str | None = None) -> str:
        v = value if value is not None else next(tag)
        values[key] = v
        return v

    rep = dataclasses.replace
    units = tuple(rep(u, name=put(f"unit.name:{u.id}")) for u in base.portal.units)
    portal = rep(base.portal, office_name=put("portal.office_name"),
                 short_name=put("portal.short_name"), contact=put("portal.contact"),
                 units=units)
    enterprises = {}
    industries = [_no_comma(next(tag)) for _ in range(3)]
    industry_map = dict(zip(("餐饮服务", "食品销售", "批发零售"), industries, strict=True))
    for code, e in base.enterprises.items():
        enterprises[code] = rep(
            e, name=put(f"enterprise.name:{code}"), address=put(f"enterprise.address:{code}"),
            industry=put(f"enterprise.industry:{code}", industry_map[e.industry]))
    inspectors = tuple(rep(i, name=put(f"inspector.name:{i.id}"),
                           title=put(f"inspector.title:{i.id}")) for i in base.inspectors)
    experts = tuple(rep(x, name=put(f"expert.name:{x.id}"),
                        organisation=put(f"expert.organisation:{x.id}")) for x in base.experts)
    items = tuple(rep(i, category=put(f"item.category:{i.code}"), name=put(f"item.name:{i.code}"),
                      objects=put(f"item.objects:{i.code}"),
                      authority=put(f"item.authority:{i.code}"), basis=put(f"item.basis:{i.code}"))
                  for i in base.items)
    tasks = tuple(rep(t, title=put(f"task.title:{t.id}"),
                      description=put(f"task.description:{t.id}"),
                      strata=tuple(rep(s, name=put(f"stratum.name:{t.id}:{n}"))
                                   for n, s in enumerate(t.strata)))
                  for t in base.tasks)

    def vocab(v: Vocabulary) -> Vocabulary:
        return rep(v, terms=tuple(Term(t.code, put(f"vocab.{v.name}:{t.code}"), t.parent, t.note)
                                  for t in v.terms))

    vocabs = rep(base.vocab, results=vocab(base.vocab.results),
                 followups=vocab(base.vocab.followups), methods=vocab(base.vocab.methods),
                 scopes=vocab(base.vocab.scopes), item_kinds=vocab(base.vocab.item_kinds))
    model = rep(base, portal=portal, enterprises=enterprises, inspectors=inspectors,
                experts=experts, items=items, tasks=tasks, vocab=vocabs)
    drawn = fx._fixture_draws(model)
    notes: dict[tuple[str, str], str] = {}
    results = {}
    for task_id, d in drawn.items():
        rs = []
        for r in d.results:
            note = put(f"result.note:{task_id}:{r.code}")
            notes[(task_id, r.code)] = note
            rs.append(rep(r, note=note))
        results[task_id] = tuple(rs)
    model = rep(model, results=results)
    view = fx.fixture_view(model, as_of)
    tasks_v = tuple(
        rep(tv, results=tuple(rep(r, note=notes[(tv.task.id, r.code)]) for r in tv.results))
        if tv.results is not None else tv
        for tv in view.tasks)
    view = rep(view, tasks=tasks_v)
    return model, view, values


def build_hostile_site(model: Model, view: PublicView, out: Path) -> Path:
    """Build with the real pipeline, the model and view injected in place of loading."""
    with mock.patch.object(site_build, "load_view", lambda d, a, **kw: (model, view, [])):
        return site_build.build_site("@fixtures", view.as_of, out)


# ---------------------------------------------------------------------------------------------
# A strict HTML structure reader (standard library only)

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})


class Structure(html.parser.HTMLParser):
    """Records the element structure of a page and the problems a strict reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[str] = []  # "<name attr-names>" and "</name>" in document order
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.scripts: list[str] = []  # src or inline start of every script element
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(f"<{tag} {' '.join(sorted(a for a, _ in attrs))}>")
        for a, v in attrs:
            if a.startswith("on"):
                self.problems.append(f"event handler attribute {a}={v!r} on <{tag}>")
            if a in ("href", "src", "action") and v and v.strip().lower().startswith(
                    ("javascript:", "data:text/html")):
                self.problems.append(f"script URL {a}={v!r} on <{tag}>")
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "inline")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(f"<{tag} {' '.join(sorted(a for a, _ in attrs))}/>")

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(f"</{tag}>")
        if tag in VOID:
            return
        if tag not in self.stack:
            self.problems.append(f"stray </{tag}>")
            return
        # HTML allows implied end tags for p/li/td/tr/...; anything else open is a problem
        while self.stack:
            top = self.stack.pop()
            if top == tag:
                break
            if top not in {"p", "li", "td", "th", "tr", "dt", "dd", "option", "thead", "tbody"}:
                self.problems.append(f"<{top}> closed by </{tag}>")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def structure(page: str) -> Structure:
    s = Structure()
    s.feed(page)
    s.close()
    return s


def tag_counts(page: str) -> Counter[str]:
    return Counter(structure(page).tags)
