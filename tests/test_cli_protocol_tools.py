"""``gongshi keystring``, ``gongshi ticket`` and ``gongshi anchor``: golden outputs and errors."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from generator.cli import main
from generator.tlog.signer import Signer, write_key_file
from generator.tlog.store import LogStore

ELEGY_CODE = "5346f2efb5397a6788fc1f1d9c05c6d3f2abe9b7d16d8592a3695b6dbe9f2456"
ELEGY_KEY = "1.2.3.4.5.6./1.2.3.4.5.6./1.2.3.4.5.6./"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_keystring_rfc3797(capsys):
    assert run(capsys, "keystring", "9319", "2 5 12 8 10", "9 18 26 34 41 45") == (
        0, "9319./2.5.8.10.12./9.18.26.34.41.45./\n", "")


def test_keystring_drops_leading_zeros_and_keeps_repeats(capsys):
    assert run(capsys, "keystring", "08 00 08", "3")[1] == "0.8.8./3./\n"


@pytest.mark.parametrize("bad", ["１ 2", "1.5", "-3", "+4"])
def test_keystring_refuses_non_digits(capsys, bad):
    code, out, err = run(capsys, "keystring", bad)
    assert code == 1 and out == "" and "ASCII 数字" in err


def test_keystring_usage_errors(capsys):
    code, _, err = run(capsys, "keystring")
    assert code == 2 and "参数错误" in err
    code, _, err = run(capsys, "keystring", "  ")
    assert code == 1 and "没有号码" in err


def test_ticket_elegy_example(capsys):
    code, out, err = run(capsys, "ticket", "--code", ELEGY_CODE, "--key", ELEGY_KEY, "lavenderblush", "blue")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert [ln.split(" ")[1] for ln in lines] == ["lavenderblush", "blue"]
    assert lines[0].startswith("002ed527ae0a44a86c205d1cdba")
    assert lines[1].startswith("03f710be2b61a6f9c3f89aa5ab5")
    assert all(len(ln.split(" ")[0]) == 64 for ln in lines)


def test_ticket_page_example(capsys):
    """The worked example of the protocol page: ticket of 91440300000000005X."""
    code, out, _ = run(capsys, "ticket", "--code",
                       "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd",
                       "--key", "3.9.14.22.27.31.8./2.5.9.11.19.28.33./3.0.7.7.1./", "91440300000000005X")
    assert (code, out) == (0, "4f2f2fbb1ed07a6fa05435730f53421990bbfa55cce429f0baddf7283880c432 91440300000000005X\n")


@pytest.mark.parametrize(("args", "needle"), [
    (["--code", ELEGY_CODE.upper(), "--key", ELEGY_KEY, "x"], "小写十六进制"),
    (["--code", "abc", "--key", ELEGY_KEY, "x"], "小写十六进制"),
    (["--code", ELEGY_CODE, "--key", "1.2.3", "x"], "key string"),
    (["--code", ELEGY_CODE, "--key", "１./", "x"], "key string"),
])
def test_ticket_errors(capsys, args, needle):
    code, out, err = run(capsys, "ticket", *args)
    assert code == 1 and out == "" and needle in err


def test_ticket_usage_error(capsys):
    code, _, err = run(capsys, "ticket", "--code", ELEGY_CODE, "x")
    assert code == 2 and "参数错误" in err


@pytest.fixture
def logged(tmp_path):
    data, secrets = tmp_path / "data", tmp_path / "secrets"
    write_key_file(secrets / "log.key", Signer("t.example/log", bytes(32)))
    LogStore(data / "log", secrets / "log.key").append(
        {"type": "announce", "task": "T", "commitment": "a" * 64, "n": 1, "params_sha256": "b" * 64,
         "inputs": {"directory.csv": {"sha256": "c" * 64, "rows": 1}},
         "strata": [{"label": "S1", "N_before": 1}], "sources": [{"name": "x"}]},
        clock=lambda: dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    return data, secrets


def test_anchor_records_and_refuses_changes(capsys, logged):
    data, secrets = logged
    where = ["--data", str(data), "--secrets", str(secrets)]
    code, out, _ = run(capsys, "anchor", "0", "--kind", "notice", "--ref", "https://example.gov.cn/n/1", *where)
    assert code == 0 and "已记录" in out
    anchor = json.loads((data / "log" / "anchors" / "0.json").read_text())
    assert anchor["kind"] == "notice" and anchor["ref"] == "https://example.gov.cn/n/1" and anchor["seq"] == 0
    code, _, err = run(capsys, "anchor", "0", "--kind", "notice", "--ref", "https://example.gov.cn/n/2", *where)
    assert code == 1 and "不会覆盖" in err
    code, _, err = run(capsys, "anchor", "5", "--kind", "notice", "--ref", "x", *where)
    assert code == 1 and "seq 5" in err


def test_anchor_usage_errors(capsys, logged, tmp_path):
    data, secrets = logged
    code, _, err = run(capsys, "anchor", "0", "--kind", "tweet", "--ref", "x", "--data", str(data))
    assert code == 2 and "参数错误" in err
    code, _, err = run(capsys, "anchor", "zero", "--kind", "notice", "--ref", "x", "--data", str(data))
    assert code == 2
    code, _, err = run(capsys, "anchor", "0", "--kind", "notice", "--ref", "x", "--data", str(tmp_path / "none"))
    assert code == 1 and "找不到抽取日志" in err
