"""The demo's revealed protocol-2 task (2023-08) exercises the rules a clean-room verifier most
needs real data for: the ``units`` scope, the expertise swap and a reassignment."""

from __future__ import annotations

import json
from pathlib import Path

from generator.draws.snapshots import task_inputs
from generator.protocol import groups, recusals
from generator.protocol.canonical import parse_csv
from generator.protocol.listing import parse_listing
from generator.protocol.tickets import Tickets
from generator.worked_examples import trace_group

ROOT = Path(__file__).resolve().parent.parent
TASK = ROOT / "data" / "draws" / "2023-08"


def test_2023_08_is_a_revealed_protocol_2_task_with_units_scope_and_a_reassignment():
    params = json.loads((TASK / "params.json").read_bytes())
    assert params["protocol"] == "gongshi-draw/2" and params["scope"]["kind"] == "units"
    assert len(params["expertise"]) >= 2
    entries = [json.loads(x) for x in (ROOT / "data/log/draws.jsonl").read_text().splitlines()]
    mine = [e for e in entries if e["task"] == "2023-08"]
    assert [e["type"] for e in mine] == ["announce", "draw", "reassign", "reveal", "publish"]
    assert "recusals_root" in mine[0] and "people_sha256" in mine[3]
    assert (TASK / "listing-1.csv").read_bytes() != (TASK / "listing-0.csv").read_bytes()


def test_2023_08_groups_include_expertise_swaps():
    params = json.loads((TASK / "params.json").read_bytes())
    entries = [json.loads(x) for x in (ROOT / "data/log/draws.jsonl").read_text().splitlines()]
    announce = next(e for e in entries if e["task"] == "2023-08" and e["type"] == "announce")
    # the inputs as committed: the task's own copies, else the snapshot store by their hashes
    files = task_inputs(ROOT / "data", announce, {})
    files.update({n: (TASK / n).read_bytes() for n in ("directory.csv", "roster.csv", "experts.csv")
                  if (TASK / n).exists()})
    rows = parse_csv("recusals-selected.csv", (TASK / "recusals-selected.csv").read_bytes())
    files = recusals.merged(files, {r[0]: set(r[2]) for r in rows})
    code = bytes.fromhex((TASK / "code.txt").read_text().strip())
    key = json.loads((TASK / "sources.json").read_bytes())["key_string"]
    tickets = Tickets(code, key)
    inspectors = groups.inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    lines = parse_listing((TASK / "listing-0.csv").read_bytes())
    rules = groups.Rules.make(params, len(lines), sum(i.qualified for i in inspectors))
    units = {r[0]: r[4] for r in parse_csv("directory.csv", files["directory.csv"])}
    out: list[str] = []
    loads: dict[str, int] = {}
    for ln in sorted(lines, key=lambda ln: (ln.ticket, ln.code)):
        got = trace_group(tickets, ln.code, units[ln.code], inspectors, loads, rules, out)
        assert got == (ln.inspectors, ln.fallback)
        for i in ln.inspectors:
            loads[i] = loads.get(i, 0) + 1
    swaps = [line for line in out if "换下排名最低的可换成员" in line]
    assert swaps, "the demo task should swap members for expertise"
    in_units = {i.id for i in inspectors if i.unit in params["scope"]["units"]}
    assert any(set(ln.inspectors) <= in_units for ln in lines if ln.fallback != "all")
