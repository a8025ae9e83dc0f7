"""The protocol page (content/verify/protocol.md) and the code cannot drift apart.

The page's worked example gives its inputs in marked blocks (``<!-- example:NAME -->`` followed
by a fenced block). This test reads them back, recomputes every output with our code and checks
the page: every marked output block byte for byte, every 64-hex value on the page is one we
compute (or the all-zero ``prev``), every value we compute appears on the page, and the ratio
table's k values. Run ``python tests/test_protocol_page.py`` to print the computed values.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from generator.protocol import engine
from generator.protocol.canonical import parse_csv, write_csv
from generator.protocol.exclusions import exclusions_commitment
from generator.protocol.groups import inspectors_from_rows, ranking
from generator.protocol.params import params_bytes, ratio_fraction, validate_params
from generator.protocol.selection import k_of
from generator.protocol.sources import canonical_number, key_string, sources_json
from generator.protocol.tickets import Tickets, hash_chain
from generator.tlog.entries import make_entry, stored_line
from generator.tlog.merkle import HashTree, record_hash
from generator.tlog.note import Checkpoint
from generator.tlog.signer import Signer

PAGE = Path(__file__).resolve().parent.parent / "content" / "verify" / "protocol.md"
SECRET = bytes(range(32))  # the page's example secret: bytes 00 01 … 1f
ANNOUNCE_TIME = "2024-03-20T02:00:00Z"
DRAW_TIME = "2024-03-25T01:30:00Z"
LOG_KEY_SEED = bytes(32)  # the example log key's seed: 32 zero bytes
LOG_KEY_NAME = "gongshi.example/log"
AUDITOR_SEED = bytes([1]) * 32
AUDITOR_NAME = "auditor-01"
ZERO = "0" * 64
_MARK = re.compile(r"<!-- example:([A-Za-z0-9_.-]+) -->\n```[a-z]*\n(.*?)```", re.S)
_HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def blocks(text: str) -> dict[str, bytes]:
    """Marked fenced blocks: name → the block's bytes (each line ends with LF)."""
    out = {}
    for name, body in _MARK.findall(text):
        assert name not in out, f"block {name} marked twice"
        out[name] = body.encode("utf-8")
    return out


def k_rows(text: str) -> list[tuple[str, int, int]]:
    """Rows ``| ratio | N | k |`` of the table after ``<!-- example:k-table -->``."""
    tail = text.split("<!-- example:k-table -->", 1)[1].lstrip("\n")
    rows = []
    for line in tail.splitlines():
        if not line.startswith("|"):
            break
        cells = [c.strip().strip("`") for c in line.strip("|").split("|")]
        if cells[0].endswith("%"):
            rows.append((cells[0], int(cells[1]), int(cells[2])))
    return rows


def compute(b: dict[str, bytes]) -> dict[str, str | bytes]:
    """Every value of the worked example, from the page's own inputs."""
    v: dict[str, str | bytes] = {}
    files = {n: b[n] for n in ("directory.csv", "roster.csv", "experts.csv")}
    for name, data in files.items():
        parse_csv(name, data)  # the page's inputs are canonical
        v[f"sha256:{name}"] = hashlib.sha256(data).hexdigest()
    params = json.loads(b["params.json"])
    assert not validate_params(params)
    assert params_bytes(params) + b"\n" == b["params.json"], "params.json block is not its JCS"
    v["params_sha256"] = hashlib.sha256(params_bytes(params)).hexdigest()
    commitment, code = hash_chain(SECRET, params["n"])
    v["secret"] = SECRET.hex()
    v["code"], v["commitment"] = code.hex(), commitment.hex()
    empty = write_csv("exclusions.csv", [])
    v["exclusions_commitment"] = exclusions_commitment(code, empty)
    typed = [line.split() for line in b["numbers"].decode().splitlines()]
    outcome = engine.draw(params, files, empty, code, typed)
    v["key_string"] = outcome.key_string
    v["listing"] = outcome.listing
    v["cutoffs.csv"] = outcome.cutoffs_csv
    v["selection_sha256"] = outcome.selection_sha256
    issues = [s["issue"] for s in params["sources"]]
    v["sources.json"] = sources_json(outcome.key_string, list(zip(issues, outcome.numbers, strict=True)))
    tickets = Tickets(code, outcome.key_string)
    v["prk"] = tickets.prk.hex()
    directory = parse_csv("directory.csv", files["directory.csv"])
    for row in directory:
        v[f"ticket:{row[0]}"] = tickets.enterprise(row[0]).hex()
    inspectors = inspectors_from_rows(parse_csv("roster.csv", files["roster.csv"]))
    first = directory[1][0]
    for insp in ranking(tickets, first, inspectors):
        v[f"ticket:{first}/{insp.id}"] = tickets.inspector(first, insp.id).hex()
    for expert in ("E1", "E2"):
        v[f"ticket:{first}/expert/{expert}"] = tickets.expert(first, expert).hex()
    # the log: the announce and draw entries of the example, their leaves and tree
    a = engine.announce(params, files, empty, code, ANNOUNCE_TIME)
    announce = make_entry({
        "type": "announce", "task": params["task"], "commitment": commitment.hex(), "n": params["n"],
        "params_sha256": a.params_sha256, "inputs": a.inputs, "strata": a.strata,
        "sources": params["sources"],
    }, 0, ANNOUNCE_TIME, ZERO)
    draw = make_entry({
        "type": "draw", "task": params["task"], "key_string": outcome.key_string,
        "selection_sha256": outcome.selection_sha256, "status": outcome.status,
    }, 1, DRAW_TIME, announce["hash"])
    v["hash:announce"], v["hash:draw"] = announce["hash"], draw["hash"]
    lines = [stored_line(announce), stored_line(draw)]
    v["log"] = b"".join(line + b"\n" for line in lines)
    v["leaf:0"], v["leaf:1"] = (record_hash(line).hex() for line in lines)
    tree = HashTree.from_records(lines)
    v["root"] = tree.root().hex()
    signer = Signer(LOG_KEY_NAME, LOG_KEY_SEED)
    v["key.pub"] = (signer.verifier.text() + "\n").encode()
    v["checkpoint"] = signer.sign_checkpoint(Checkpoint(LOG_KEY_NAME, tree.size, tree.root()))
    v["auditors.pub"] = (Signer(AUDITOR_NAME, AUDITOR_SEED).verifier.text() + "\n").encode()
    # conformance anchors quoted on the page
    v["rfc3797"] = key_string([{"ordered": False}] * 3, [
        [canonical_number(x) for x in src.split()] for src in ("9319", "2 5 12 8 10", "9 18 26 34 41 45")
    ])
    elegy_c, elegy_code = hash_chain(b"totally not a bikeshed", 10)
    v["elegy:commitment"], v["elegy:code"] = elegy_c.hex(), elegy_code.hex()
    return v


def _values() -> tuple[str, dict[str, bytes], dict[str, str | bytes]]:
    text = page()
    b = blocks(text)
    return text, b, compute(b)


def test_page_exists_and_cites_the_standards():
    text = page()
    for ref in ("RFC 3797", "RFC 5869", "RFC 6962", "RFC 8785", "tlog-tiles", "tlog-checkpoint",
                "signed-note", "draft-thomson-elegy-vrs", "实现选择"):
        assert ref in text, ref


@pytest.mark.parametrize("name", ["listing", "cutoffs.csv", "sources.json", "log", "key.pub",
                                  "checkpoint", "auditors.pub"])
def test_output_blocks_match_the_code(name):
    _, b, v = _values()
    assert name in b, f"the page lacks the block example:{name}"
    assert b[name] == v[name], f"example:{name} on the page differs from the code:\n{v[name].decode()}"


def test_every_computed_value_is_on_the_page():
    text, _, v = _values()
    missing = {k: x for k, x in v.items() if isinstance(x, str) and x not in text}
    assert not missing, missing


def test_every_hex_on_the_page_is_computed():
    from generator.worked_examples import generated

    text, _, v = _values()
    known = {x for x in v.values() if isinstance(x, str)} | {ZERO}
    for body in generated(text).values():  # compared verbatim by tests/test_protocol_examples.py
        known.update(_HEX64.findall(body))
    for x in v.values():
        if isinstance(x, bytes):
            known.update(_HEX64.findall(x.decode()))
    stray = sorted(set(_HEX64.findall(text)) - known)
    assert not stray, f"hex values on the page that the code does not produce: {stray}"


def test_k_table():
    rows = k_rows(page())
    assert ("7%", 100, 7) in rows and ("14%", 50, 7) in rows
    for ratio, n, k in rows:
        assert k_of({"ratio": ratio}, n) == k, (ratio, n, k)
        p, q = ratio_fraction(ratio)
        assert k == min(n, (p * n + q - 1) // q)


if __name__ == "__main__":  # print the values to paste into the page
    _b = blocks(page())
    for key, value in compute(_b).items():
        print(f"== {key}")
        print(value.decode() if isinstance(value, bytes) else value)
