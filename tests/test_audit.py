"""Audit mode end to end (PROTOCOL §0, §9, §13): commit → draw → reveal --auditor →
audit-export → signed audit entry → ``gongshi verify`` passes; the public bundle holds no
code.txt or risk.csv; a wrong auditor key fails verification."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.demo.replay import replay
from generator.draws.audit import audit_export, record_audit
from generator.draws.commit import commit
from generator.draws.draw import draw
from generator.draws.reveal import reveal
from generator.draws.workspace import DrawRefused, Workspace
from generator.load import load_model
from generator.state import public_file_names
from generator.tlog.entries import LogError
from generator.tlog.note import parse_verifier_key
from generator.tlog.signer import Signer, write_key_file
from generator.tlog.store import LogStore

TASK = "2024-A1"
UTC = dt.UTC

TASK_YAML = """\
编号: 2024-A1
名称: 2024年度按信用风险分类的抽查（审计模式）
年度: 2024
发起科室: xinyong
抽查事项:
- SX01
抽查类型: 不定向
模式: 审计
抽取范围:
- 列: status
  条件: eq
  值: 存续
分层:
- 名称: 高风险行业
  条件:
  - 列: industry_risk
    条件: eq
    值: 高
  比例: 2%
- 名称: 信用风险较高
  条件:
  - 列: risk
    条件: in
    值: [C, D]
  比例: 5%
- 名称: 其他
  条件: []
  比例: 1%
检查人员:
  抽取方式: 全局内随机
  每组人数: 2
检查方式:
- 现场检查
公告日期: 2024-01-03
检查开始: 2024-01-15
检查结束: 2024-01-31
完成日期: 2024-01-31
随机源:
- 名称: 中国福利彩票双色球
  玩法: ssq
  期号: '2024003'
  开奖时间: '2024-01-06T21:15:00+08:00'
  取数: 红球 6 个后接蓝球 1 个，按此顺序
  个数: 7
  有序: true
  备用规则: 若该期未按期开奖，取同一玩法按期开奖的下一期
  网址: https://www.cwl.gov.cn/ygkj/wqkjgg/ssq/
- 名称: 中国体育彩票超级大乐透
  玩法: dlt
  期号: '2024003'
  开奖时间: '2024-01-06T21:25:00+08:00'
  取数: 前区 5 个后接后区 2 个，按此顺序
  个数: 7
  有序: true
  备用规则: 若该期未按期开奖，取同一玩法按期开奖的下一期
  网址: https://www.lottery.gov.cn/kj/kjlb.html?dlt
- 名称: 中国体育彩票排列5
  玩法: pl5
  期号: '2024004'
  开奖时间: '2024-01-06T21:25:00+08:00'
  取数: 开奖号码 5 位数字，按开奖顺序
  个数: 5
  有序: true
  备用规则: 若该期未按期开奖，取同一玩法按期开奖的下一期
  网址: https://www.lottery.gov.cn/kj/kjlb.html?plw
哈希链长度: 3
"""


def _at(text: str) -> Workspace:
    return lambda: dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The demo, then an audit-mode task stratified by risk: committed, drawn, revealed."""
    root = tmp_path_factory.mktemp("audit")
    data, secrets = root / "data", root / "secrets"
    replay(data, secrets)
    (data / "tasks" / f"{TASK}.yaml").write_text(TASK_YAML, encoding="utf-8")
    model, findings = load_model(data)
    assert model is not None and not [f for f in findings if f.is_error], [f.text() for f in findings if f.is_error]

    def ws(when: str) -> Workspace:
        w = Workspace.at(data, secrets, clock=_at(when))
        w.key_name = parse_verifier_key((data / "log" / "key.pub").read_text().strip()).name
        return w

    commit(ws("2024-01-03T02:00:00"), model, TASK, secret_source=lambda: bytes(range(32)))
    numbers = [["03", "09", "14", "22", "27", "31", "08"], ["05", "11", "19", "28", "33", "02", "09"],
               ["3", "0", "7", "7", "1"]]
    assert draw(ws("2024-01-07T02:00:00"), TASK, numbers)["status"] == "ok"
    with pytest.raises(DrawRefused):  # audit mode needs named auditors
        reveal(ws("2024-02-01T02:00:00"), model, TASK)
    reveal(ws("2024-02-01T02:00:00"), model, TASK, ["auditor-01"])
    key = root / "auditor.key"
    write_key_file(key, Signer("auditor-01", bytes([7]) * 32))
    return root


def _verify(data: Path, *tasks: str, capsys=None) -> tuple[int, str]:
    code = main(["verify", "--data", str(data), *tasks])
    out = capsys.readouterr().out if capsys else ""
    return code, out


def test_public_bundle_has_no_code_or_risk(folder):
    data = folder / "data"
    names = {p.name for p in (data / "draws" / TASK).iterdir()}
    assert "selected.csv" in names and "exclusions.csv" in names
    assert not names & {"code.txt", "risk.csv", "listing.csv", "listing-0.csv", "cutoffs.csv"}
    model, _ = load_model(data)
    ws = Workspace.at(data, folder / "secrets")
    assert not set(public_file_names(model.task(TASK), ws.task_entries(TASK), names)) & {"code.txt", "risk.csv"}


def test_verify_before_audit_passes_with_a_warning(folder, capsys):
    code, out = _verify(folder / "data", TASK, capsys=capsys)
    assert code == 0, out
    assert "strata.N_before.S1" in out and "strata.N_before.risk" in out
    assert "[警告] 任务 2024-A1 audit.present" in out
    # protocol 2 (the task file names no version): the public proves the groups' recusal rows
    assert "[通过] 任务 2024-A1 recusals-selected.proofs" in out


def test_export_audit_and_verify(folder, capsys):
    data, secrets, export = folder / "data", folder / "secrets", folder / "export"
    assert main(["audit-export", TASK, "--to", str(export), "--data", str(data), "--secrets", str(secrets)]) == 0
    got = {p.name for p in (export / "draws" / TASK).iterdir()}
    assert {"code.txt", "risk.csv", "listing-0.csv", "listing.csv", "cutoffs.csv", "selected.csv"} <= got
    assert (export / "log" / "draws.jsonl").read_bytes() == (data / "log" / "draws.jsonl").read_bytes()
    capsys.readouterr()
    code, out = _verify(export, TASK, capsys=capsys)  # the auditors' full view
    assert code == 0, out
    assert "selected.csv 与最后一份清单 一致" in out and "H(code) 与公告条目的承诺 一致" in out
    assert "[通过] 任务 2024-A1 recusals.root" in out  # the auditors hold the whole commitment
    # inside the data folder is refused: the code would reach the site
    assert main(["audit-export", TASK, "--to", str(data / "x"), "--data", str(data), "--secrets", str(secrets)]) == 1

    assert main(["audit", TASK, "--auditor", "auditor-01", "--verdict", "ok", "--key", str(folder / "auditor.key"),
                 "--data", str(data), "--secrets", str(secrets)]) == 0
    assert (data / "log" / "auditors.pub").read_text().startswith("auditor-01+")
    capsys.readouterr()
    code, out = _verify(data, capsys=capsys)  # every task, the public view
    assert code == 0, out
    assert "签名有效" in out and "审计结论为一致" in out and "audit.present" not in out


def test_wrong_auditor_key_fails(folder, capsys):
    data = folder / "data"
    if not (data / "log" / "auditors.pub").exists():
        pytest.skip("runs after test_export_audit_and_verify")
    copy = folder / "tampered"
    shutil.copytree(data, copy)
    other = Signer("auditor-01", bytes([9]) * 32)
    (copy / "log" / "auditors.pub").write_text(other.verifier.text() + "\n")
    code, out = _verify(copy, TASK, capsys=capsys)
    assert code == 1
    assert "签名无效" in out


def test_public_code_for_audit_task_is_a_mismatch(folder, capsys):
    copy = folder / "leaked"
    shutil.copytree(folder / "data", copy)
    (copy / "draws" / TASK / "code.txt").write_text("00" * 32 + "\n")
    code, out = _verify(copy, TASK, capsys=capsys)
    assert code == 1 and "审计模式任务不得公开 code.txt" in out


def test_record_audit_refusals(folder):
    ws = Workspace.at(folder / "data", folder / "secrets")
    key = folder / "auditor.key"
    with pytest.raises(DrawRefused, match="不是任务"):
        record_audit(ws, TASK, "someone-else", "ok", key)
    with pytest.raises(DrawRefused, match="ok"):
        record_audit(ws, TASK, "auditor-01", "maybe", key)
    with pytest.raises(DrawRefused, match="公开模式"):
        audit_export(ws, "2023-01", folder / "nope")


def test_append_finalize_sees_chain_fields(tmp_path):
    store = LogStore(tmp_path / "log", tmp_path / "k")
    write_key_file(tmp_path / "k", Signer("t.example/log", bytes(32)))
    seen = {}

    def fin(entry):
        seen.update(entry)
        return {**entry, "reason": "见 seq " + str(entry["seq"])}

    e = store.append({"type": "announce", "task": "T", "commitment": "a" * 64, "n": 1, "params_sha256": "b" * 64,
                      "inputs": {"directory.csv": {"sha256": "c" * 64, "rows": 1}},
                      "strata": [{"label": "S1", "N_before": 1}], "sources": [{"name": "x"}]},
                     clock=lambda: dt.datetime(2024, 1, 1, tzinfo=UTC))
    e2 = store.append({"type": "cancel", "task": "T"}, clock=lambda: dt.datetime(2024, 1, 2, tzinfo=UTC), finalize=fin)
    assert seen["seq"] == 1 and seen["prev"] == e["hash"] and e2["reason"] == "见 seq 1"
    with pytest.raises(LogError):
        store.append({"type": "cancel", "task": "T"}, clock=lambda: dt.datetime(2024, 1, 3, tzinfo=UTC),
                     finalize=lambda entry: {**entry, "seq": 9, "reason": "x"})
