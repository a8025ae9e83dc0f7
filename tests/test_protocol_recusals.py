"""Protocol 2's private recusals: the listing depends only on the selected enterprises' pairs,
the whole set is committed at announcement, and a dropped committed pair is caught."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from test_protocol_fixtures import (
    ANNOUNCE_TIME,
    EXCLUSIONS_EMPTY,
    NUMBERS,
    SECRET,
    directory_rows,
    expert_rows,
    files,
    params,
    roster_rows,
)

from generator.protocol import engine, recusals
from generator.protocol.canonical import write_csv
from generator.protocol.listing import format_listing, parse_listing, selection_sha256
from generator.protocol.tickets import hash_chain
from generator.protocol.verify import verify_task

N = 3
CODE = hash_chain(SECRET, N)[1]
CODES = [r[0] for r in directory_rows()]
PEOPLE = [r[0] for r in roster_rows()] + [r[0] for r in expert_rows()]


def p2() -> dict:
    return params(protocol="gongshi-draw/2", n=N)


def published() -> dict[str, bytes]:
    return recusals.stripped(files())


def listing_with(pairs: dict[str, set[str]]) -> engine.DrawOutcome:
    """The draw as the office runs it: the committed pairs merged into the group rules' inputs."""
    return engine.draw(p2(), recusals.merged(published(), pairs), EXCLUSIONS_EMPTY, CODE, NUMBERS)


SELECTED = set(listing_with({}).tickets)
UNSELECTED = [c for c in CODES if c not in SELECTED]


def bundle(pairs: dict[str, set[str]], forged: dict[str, set[str]] | None = None):
    """The published bundle and log entries of a revealed protocol-2 task whose committed pairs
    are ``pairs``; ``forged``: the pairs the office claims at reveal (draw re-run on them)."""
    p = p2()
    whole = recusals.commitment_file(recusals.directory_codes(published()["directory.csv"]), pairs, SECRET)
    a = engine.announce(p, published(), EXCLUSIONS_EMPTY, CODE, ANNOUNCE_TIME, whole)
    assert a.ok, a.refusals
    claimed = forged if forged is not None else pairs
    out = listing_with(claimed)
    selected = sorted(out.tickets)
    shown = recusals.commitment_file(recusals.directory_codes(published()["directory.csv"]), claimed, SECRET)
    people = write_csv("people.csv", sorted({(i, "某", "某所", "") for ln in parse_listing(out.listing)
                                             for i in ln.inspectors + ln.experts}))
    bundle_files = dict(published(), **{
        "params.json": a.params_bytes, "exclusions.csv": EXCLUSIONS_EMPTY,
        "code.txt": CODE.hex().encode() + b"\n", "listing-0.csv": out.listing, "listing.csv": out.listing,
        "cutoffs.csv": out.cutoffs_csv, "people.csv": people,
        "recusals-selected.csv": recusals.selected_file(shown, selected),
        "sources.json": (f'{{"key_string":"{out.key_string}","sources":[' + ",".join(
            '{"issue_used":"' + s["issue"] + '","numbers":[' + ",".join(f'"{x}"' for x in nums) + "]}"
            for s, nums in zip(p["sources"], out.numbers, strict=True)) + "]}\n").encode(),
    })
    announce = {"type": "announce", "task": p["task"], "time": ANNOUNCE_TIME, "commitment": hash_chain(SECRET, N)[0].hex(),
                "n": N, "params_sha256": a.params_sha256, "inputs": a.inputs, "strata": a.strata,
                "sources": p["sources"], "recusals_root": a.recusals_root}
    draw = {"type": "draw", "time": "2024-04-30T02:00:00Z", "key_string": out.key_string,
            "selection_sha256": out.selection_sha256, "status": out.status}
    reveal = {"type": "reveal", "code": CODE.hex(), "people_sha256": recusals.hashlib.sha256(people).hexdigest()}
    return out, bundle_files, announce, draw, reveal


def failures(pairs, forged=None) -> list[str]:
    _out, f, announce, draw, reveal = bundle(pairs, forged)
    checks = verify_task(f, announce, draw, [], reveal, None, set())
    return [c.name for c in checks if not c.ok and c.severity == "error"]


pair_sets = st.dictionaries(st.sampled_from(UNSELECTED), st.sets(st.sampled_from(PEOPLE), min_size=1, max_size=3), max_size=12)


@settings(max_examples=25, deadline=None)
@given(base=pair_sets, extra=pair_sets)
def test_listing_does_not_change_with_unselected_enterprises_pairs(base, extra):
    """Adding or removing recusal pairs of enterprises that are not selected changes no byte."""
    selected_pairs = {c: {PEOPLE[i % len(PEOPLE)]} for i, c in enumerate(sorted(SELECTED)[:3])}
    one = listing_with({**base, **selected_pairs})
    two = listing_with({**extra, **selected_pairs})
    assert one.listing == two.listing and one.selection_sha256 == two.selection_sha256


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(sorted(SELECTED)), st.integers(0, 1), pair_sets)
def test_a_dropped_committed_pair_changes_the_listing_and_is_caught(code, member, noise):
    """A selected enterprise's group member recused in the commitment: the honest listing leaves
    them out; publishing the row without the pair (to keep them) fails the inclusion proof."""
    without = listing_with(dict(noise))
    line = next(ln for ln in parse_listing(without.listing) if ln.code == code)
    person = line.inspectors[member]
    committed = {**noise, code: {person}}
    honest = listing_with(committed)
    assert honest.listing != without.listing  # the pair matters to the listing
    assert person not in next(ln for ln in parse_listing(honest.listing) if ln.code == code).inspectors
    assert failures(committed) == []  # the honest bundle verifies
    forged = {c: ids for c, ids in committed.items() if c != code}
    caught = failures(committed, forged)
    assert "recusals-selected.proofs" in caught, caught


def test_unselected_rows_are_never_published_and_extra_rows_are_refused():
    pairs = {UNSELECTED[0]: {PEOPLE[0]}, sorted(SELECTED)[0]: {PEOPLE[1]}}
    _out, f, announce, draw, reveal = bundle(pairs)
    text = f["recusals-selected.csv"].decode()
    assert UNSELECTED[0] not in text and sorted(SELECTED)[0] in text
    whole = recusals.commitment_file(CODES, pairs, SECRET)
    f["recusals-selected.csv"] = recusals.selected_file(whole, sorted(SELECTED) + [UNSELECTED[0]])
    checks = verify_task(f, announce, draw, [], reveal, None, set())
    bad = [c for c in checks if not c.ok]
    assert [c.name for c in bad] == ["recusals-selected.codes"], bad


def test_recusals_in_the_published_roster_are_refused_in_protocol_2():
    declared = files()  # the fixture roster carries recusals in its column
    assert recusals.declared(declared)
    whole = recusals.commitment_file(CODES, {}, SECRET)
    a = engine.announce(p2(), declared, EXCLUSIONS_EMPTY, CODE, ANNOUNCE_TIME, whole)
    assert any(r.rule == "recusal" for r in a.refusals)


def test_the_auditors_whole_file_is_checked_against_the_root():
    pairs = {UNSELECTED[0]: {PEOPLE[0]}}
    _out, f, announce, draw, reveal = bundle(pairs)
    f["recusals.csv"] = recusals.commitment_file(CODES, pairs, SECRET)
    assert [c.name for c in verify_task(f, announce, draw, [], reveal, None, set()) if not c.ok] == []
    f["recusals.csv"] = recusals.commitment_file(CODES, {}, SECRET)  # a pair left out of the copy
    bad = [c.name for c in verify_task(f, announce, draw, [], reveal, None, set()) if not c.ok]
    assert bad == ["recusals.root"], bad


def test_people_csv_is_bound_by_the_reveal_entry():
    _out, f, announce, draw, reveal = bundle({})
    f["people.csv"] = f["people.csv"].replace("某所".encode(), "他所".encode(), 1)
    bad = [c.name for c in verify_task(f, announce, draw, [], reveal, None, set()) if not c.ok]
    assert bad == ["people.sha256"], bad
    assert format_listing(parse_listing(_out.listing)) == _out.listing
    assert selection_sha256(_out.listing) == _out.selection_sha256
