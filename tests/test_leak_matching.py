"""The leak scanner's fast matchers against their plain definitions."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site import leak

NAMES = st.text("示例鸿绣超市有限公司 &A", min_size=4, max_size=9)


@settings(max_examples=200)
@given(st.sets(NAMES, min_size=65, max_size=120), st.lists(NAMES, max_size=8),
       st.text("示例鸿绣超市有限公司 ,<>", max_size=30))
def test_many_names_are_found_wherever_they_occur(values, pieces, filler):
    """Above 64 values the scanner matches by four-character starts; it must still find every
    occurrence of every value, also values with spaces or markup characters in them."""
    scanner = leak.Scanner({"未公示企业名称": set(values)})
    text = filler.join(pieces + sorted(values)[:3])
    want = {v for v in values if v in text}
    got = {x.value for x in scanner._match("f", text, False)}
    assert got == want


def test_forbidden_values_read_column_wise_equal_the_objects():
    """The directory read column by column gives the rules the enterprise objects give."""
    import dataclasses
    from pathlib import Path

    from generator.site.source import load_view

    data = Path(__file__).resolve().parents[1] / "data"
    model, view, _ = load_view(str(data), dt.date(2023, 12, 29))
    assert hasattr(model.enterprises, "batches")
    as_dict = dataclasses.replace(model, enterprises=dict(model.enterprises.items()))
    rules = leak.forbidden_values(model, view)
    assert rules == leak.forbidden_values(as_dict, view)
    assert rules["未公示企业名称"]



@settings(max_examples=150)
@given(st.sets(st.text("示例鸿绣超市有限", min_size=1, max_size=8), max_size=40),
       st.sets(st.text("示例鸿绣超市有限", min_size=1, max_size=10), max_size=20))
def test_inside_equals_the_set_of_substrings(names, containers):
    substrings = {c[i:j] for c in containers for i in range(len(c))
                  for j in range(i + 4, len(c) + 1)}
    assert leak.inside(names, containers, 4) == {n for n in names if n in substrings}
