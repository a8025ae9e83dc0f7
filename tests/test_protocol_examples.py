"""The protocol page's worked examples of protocol 2 are the code's: every generated block of
content/verify/protocol.md equals what generator/worked_examples.py computes now, byte for byte,
and every example is a task the announcement accepts (but for the 20-enterprise floor of the
two small count/ratio examples)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import worked_examples as w
from generator.protocol import engine, recusals
from generator.protocol.canonical import write_csv
from generator.protocol.tickets import hash_chain

PAGE = Path(__file__).resolve().parent.parent / "content" / "verify" / "protocol.md"
NEEDED = {  # the rules the issue asks each to pin, by example name
    "swap", "scope-all", "scope-own", "scope-units", "scope-hq-own", "reassign", "exclusions",
    "experts", "failed", "redraw", "audit", "chain",
}


def page_blocks() -> dict[str, str]:
    return w.generated(PAGE.read_text(encoding="utf-8"))


def test_every_example_is_on_the_page():
    assert NEEDED <= set(w.EXAMPLES) and set(page_blocks()) == set(w.EXAMPLES)


@pytest.mark.parametrize("name", sorted(w.EXAMPLES))
def test_example_block_equals_the_code(name):
    got = page_blocks()[name]
    want = w.EXAMPLES[name]()
    assert got == want, f"gen:{name} differs; run python -m generator.worked_examples content/verify/protocol.md"


def test_examples_pass_the_announcement_checks():
    w.DRAWN.clear()
    for fn in w.EXAMPLES.values():
        fn()
    assert len(w.DRAWN) >= 12
    for params, files, secret, pairs, exclusions in w.DRAWN:
        _c, code = hash_chain(secret, params["n"])
        whole = recusals.commitment_file(recusals.directory_codes(files["directory.csv"]), pairs, secret)
        a = engine.announce(params, files, exclusions or write_csv("exclusions.csv", []), code,
                            w.ANNOUNCE_TIME, whole)
        rules = {r.rule for r in a.refusals}
        small = any("count" in s or s["ratio"] != "100%" for s in params["strata"])
        assert rules <= ({"floor"} if small else set()), (params["task"], a.refusals)


def test_the_swap_example_shows_a_dependency_and_both_tags():
    text = w.EXAMPLES["swap"]()
    assert "被依赖者 H2" in text or "被依赖者 " in text.replace("被依赖者 无", "")
    assert "专长 价格：未覆盖" in text or "专长 食品：未覆盖" in text


def test_the_failed_and_experts_examples_fail_as_the_page_says():
    assert "failure = recusal" in w.EXAMPLES["failed"]()
    assert "failure = experts" in w.EXAMPLES["experts"]()
    assert "status = ok" in w.EXAMPLES["redraw"]()
