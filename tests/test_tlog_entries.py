"""Log entries: golden JCS lines and hashes per type, field rules, chain and torn/edited lines."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest
import rfc8785

from generator.tlog._jcs import dumps as jcs_dumps
from generator.tlog.entries import (
    MAX_LINE,
    TYPES,
    ZERO_HASH,
    LogError,
    check_chain,
    entry_hash,
    entry_problems,
    make_entry,
    parse_log,
    parse_log_prefix,
    stored_line,
)

VECTORS = Path(__file__).parent / "vectors" / "tlog"
GOLDEN = json.loads((VECTORS / "entries.json").read_text(encoding="utf-8"))
LOG = (VECTORS / "draws.jsonl").read_bytes()
# An imported list and its correction: a log of its own (such a task has no announce).
GOLDEN_IMPORT = json.loads((VECTORS / "entries-import.json").read_text(encoding="utf-8"))


def test_golden_vectors_cover_every_type():
    assert {v["fields"]["type"] for v in GOLDEN + GOLDEN_IMPORT} == set(TYPES)


@pytest.mark.parametrize("i", range(len(GOLDEN_IMPORT)))
def test_golden_import_line_and_hash(i):
    vector = GOLDEN_IMPORT[i]
    entry = make_entry(vector["fields"], i, vector["time"], GOLDEN_IMPORT[i - 1]["hash"] if i else ZERO_HASH)
    assert stored_line(entry).decode("utf-8") == vector["line"] and entry["hash"] == vector["hash"]
    assert rfc8785.dumps(entry) == stored_line(entry)
    check_chain([json.loads(v["line"]) for v in GOLDEN_IMPORT[: i + 1]])


@pytest.mark.parametrize("i", range(len(GOLDEN)), ids=[v["fields"]["type"] for v in GOLDEN])
def test_golden_line_and_hash(i):
    vector = GOLDEN[i]
    prev = GOLDEN[i - 1]["hash"] if i else ZERO_HASH
    entry = make_entry(vector["fields"], i, vector["time"], prev)
    assert stored_line(entry).decode("utf-8") == vector["line"]
    assert entry["hash"] == vector["hash"]
    # Independent computation: the rfc8785 package, and H(JCS(entry without "hash")).
    body = {k: v for k, v in entry.items() if k != "hash"}
    assert hashlib.sha256(rfc8785.dumps(body)).hexdigest() == vector["hash"]
    assert rfc8785.dumps(entry) == stored_line(entry)


def test_golden_log_parses():
    entries = parse_log(LOG)
    assert [e["hash"] for e in entries] == [v["hash"] for v in GOLDEN]
    check_chain(entries)


def test_stdlib_jcs_agrees_with_rfc8785_package():
    rng = random.Random(8785)
    for _ in range(2000):
        text = "".join(
            chr(rng.choice([rng.randrange(0, 0x80), rng.randrange(0x80, 0xD800),
                            rng.randrange(0xE000, 0x110000)]))
            for _ in range(rng.randrange(0, 10))
        )
        obj = {text: [text, rng.randrange(0, 2**53), True, False, None, {"k" + text: text}],
               "é": 1, "\U0001f600": 2, "\ufb01": 3, "a": []}
        assert jcs_dumps(obj) == rfc8785.dumps(obj), repr(text)


def _entry(i: int = 0, **fields):
    base = {**GOLDEN[i]["fields"], "seq": i, "time": GOLDEN[i]["time"], "prev": ZERO_HASH,
            "hash": "0" * 64}
    return {**base, **fields}


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (_entry(redraw_of=None), "null"),
        (_entry(n=0), "字段 n"),
        (_entry(n=2**53), "超出整数范围"),
        (_entry(n=True), "字段 n"),
        (_entry(commitment="AB" * 32), "字段 commitment"),
        (_entry(strata=[{"label": "S2", "N_before": 3}]), "label 应为 S1"),
        (_entry(inputs={"Directory.CSV": {"sha256": "0" * 64, "rows": 1}}), "文件名"),
        (_entry(task="任务1"), "字段 task"),
        (_entry(extra=1), "不应有字段 extra"),
        (_entry(time="2024-03-01 01:00:00Z"), "字段 time"),
        (_entry(time="2024-02-30T01:00:00Z"), "字段 time"),
        (_entry(name="e\u0301"), "NFC"),
        (_entry(1, status="failed"), "failure"),
        (_entry(1, failure="scope"), "failure"),
        (_entry(1, key_string="1.2.3"), "key_string"),
        (_entry(2, reason="ill"), "reason"),
        (_entry(3, auditors=["甲"]), "恰有 code"),
        (_entry(8, verdict="maybe"), "verdict"),
        (_entry(8, signature="AAAA"), "signature"),
        ({**_entry(10), "type": "delete"}, "type 应为"),
    ],
)
def test_field_rules(entry, expected):
    problems = entry_problems(entry)
    assert any(expected in p for p in problems), problems


def test_float_and_non_ascii_key_refused():
    assert any("小数" in p for p in entry_problems(_entry(n=1.0)))
    assert any("ASCII" in p for p in entry_problems({**_entry(), "键": 1}))


def test_make_entry_refuses_caller_chain_fields_and_long_lines():
    with pytest.raises(LogError, match="自动填写"):
        make_entry({**GOLDEN[10]["fields"], "seq": 3}, 0, GOLDEN[10]["time"], ZERO_HASH)
    with pytest.raises(LogError, match=str(MAX_LINE)):
        make_entry({"type": "cancel", "task": "T1", "reason": "长" * 30000}, 0,
                   "2024-01-01T00:00:00Z", ZERO_HASH)


LINES = LOG.split(b"\n")[:-1]


def _joined(lines):
    return b"".join(line + b"\n" for line in lines)


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (LOG[:-1], "第 11 行不完整", 11),
        (LOG[:-40], "第 11 行不完整", 11),
        (_joined(LINES[:3] + [LINES[3].replace(b'"code":"9', b'"code":"8')] + LINES[4:]),
         "第 4 行（seq 3）：hash 应为", 4),
        (_joined(LINES[:5] + LINES[6:]), "第 6 行（seq 6）：seq 应为 5", 6),
        (_joined(LINES[:4] + [LINES[5], LINES[4]] + LINES[6:]), "第 5 行（seq 5）：seq 应为 4", 5),
        (_joined(LINES[:4] + [LINES[3]] + LINES[4:]), "第 5 行（seq 3）：与 seq 3 的条目重复", 5),
        (_joined([LINES[0].replace(b'{"commitment"', b'{ "commitment"')] + LINES[1:]),
         "第 1 行（seq 0）不是 RFC 8785 规范形式", 1),
        (_joined(LINES[:2] + [LINES[2][:50]] + LINES[3:]), "第 3 行不是完整的 JSON", 3),
        (_joined(LINES[:1] + [LINES[1] + b"\r"] + LINES[2:]), "第 2 行", 2),
    ],
    ids=["torn-lf", "torn-mid", "edited", "deleted", "reordered", "duplicated", "spaced",
         "cut-line", "crlf"],
)
def test_bad_logs_are_refused_naming_the_line(data, message, line):
    with pytest.raises(LogError) as info:
        parse_log(data)
    assert message in str(info.value)
    assert info.value.line == line
    entries, error = parse_log_prefix(data)
    assert error is not None and len(entries) == line - 1


def test_time_never_decreases_and_once_per_task():
    e0 = make_entry(GOLDEN[0]["fields"], 0, "2024-03-02T00:00:00Z", ZERO_HASH)
    e1 = make_entry(GOLDEN[1]["fields"], 1, "2024-03-01T23:59:59Z", e0["hash"])
    with pytest.raises(LogError, match="时间不得倒退"):
        check_chain([e0, e1])
    e1 = make_entry(GOLDEN[1]["fields"], 1, "2024-03-02T00:00:00Z", e0["hash"])
    e2 = make_entry({**GOLDEN[1]["fields"], "selection_sha256": "f" * 64}, 2,
                    "2024-03-02T00:00:00Z", e1["hash"])
    with pytest.raises(LogError, match="已有 draw 条目"):
        check_chain([e0, e1, e2])
    orphan = make_entry(GOLDEN[1]["fields"] | {"task": "T9"}, 1, "2024-03-02T00:00:00Z", e0["hash"])
    with pytest.raises(LogError, match="尚无 announce"):
        check_chain([e0, orphan])


def test_entry_hash_excludes_hash_field():
    entry = make_entry(GOLDEN[10]["fields"] | {"task": "T2024-03"}, 0, "2024-01-01T00:00:00Z",
                       ZERO_HASH)
    assert entry_hash(entry) == entry_hash({**entry, "hash": "x"}) == entry["hash"]
