"""Publishing twice: unchanged results are a no-op; changed ones are an explicit correction (更正)
that keeps the first publication's date for timeliness and shows its history on the task page."""

from __future__ import annotations

import datetime as dt
import json

from site_helpers import tree_hashes

from generator.cli import main
from generator.load import load_model
from generator.site.build import build_site
from generator.state import public_view

TASK = "2023-01"  # published on 2023-07-11 in the demo, on time
AS_OF = dt.date(2023, 12, 29)


def run(capsys, demo, *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--data", str(demo.data), "--secrets", str(demo.secrets)])
    out = capsys.readouterr()
    return code, out.out, out.err


def change_first_result(demo) -> str:
    path = demo.data / "results" / f"{TASK}.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[1].split(",")
    cells[3] = "发现问题已责令改正"
    cells[4] = "3"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cells[0]


def test_publish_unchanged_is_a_noop_and_a_correction_keeps_the_verdict(demo_copy, capsys, tmp_path, monkeypatch):
    demo = demo_copy
    log = demo.data / "log" / "draws.jsonl"
    before_log = log.read_bytes()
    published = (demo.data / "draws" / TASK / "results.csv").read_bytes()
    site1 = build_site(str(demo.data), AS_OF, tmp_path / "site1")
    hashes1 = tree_hashes(site1)

    code, out, err = run(capsys, demo, "publish", TASK)
    assert code == 0, err
    assert "相同" in out and "没有写入日志" in out and "2023-07-11 10:00:00（北京时间）" in out
    assert log.read_bytes() == before_log
    assert tree_hashes(build_site(str(demo.data), AS_OF, tmp_path / "site2")) == hashes1

    changed = change_first_result(demo)
    code, _out, err = run(capsys, demo, "publish", TASK)
    assert code == 1
    assert "已于 2023-07-11" in err and "1 家企业有变化" in err and changed in err
    assert "--correction" in err and "改回原样" in err
    assert log.read_bytes() == before_log

    code, _out, err = run(capsys, demo, "publish", TASK, "--correction", "   ")
    assert code == 1 and "须写明原因" in err
    code, _out, err = run(capsys, demo, "publish", TASK, "--correction", "企业负责人电话 13912345678 告知有误")
    assert code == 1 and "--correction" in err
    assert log.read_bytes() == before_log
    assert (demo.data / "draws" / TASK / "results.csv").read_bytes() == published

    monkeypatch.setattr("generator.draws.workspace.system_clock",
                        lambda: dt.datetime(2023, 12, 28, 2, 0, tzinfo=dt.UTC))
    code, out, err = run(capsys, demo, "publish", TASK, "--correction", "录入错误：第 2 行结果应为责令改正")
    assert code == 0, err
    entry = json.loads(log.read_bytes().splitlines()[-1])
    assert entry["type"] == "publish" and entry["changed"] == 1
    assert entry["reason"] == "录入错误：第 2 行结果应为责令改正"
    assert "2023-12-28 10:00:00（北京时间）" in out

    model, _ = load_model(demo.data)
    tv = public_view(model, demo.data, AS_OF).task(TASK)
    assert tv.publication.kind == "on_time"
    assert tv.publication.published_on == dt.date(2023, 7, 11)
    assert len(tv.publishes) == 2

    page = (build_site(str(demo.data), AS_OF, tmp_path / "site3") / "tasks" / TASK / "index.html")
    html = page.read_text(encoding="utf-8")
    assert "更正记录" in html and "录入错误：第 2 行结果应为责令改正" in html
    assert "按时公示" in html and "2023年12月28日 10:00" in html

    # and the standalone verifier accepts the corrected log
    code, _out, err = run_verify(capsys, tmp_path / "site3")
    assert code == 0, err


def run_verify(capsys, site):
    code = main(["verify", "--site", str(site)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_first_publish_refuses_a_correction_reason(demo_copy, capsys):
    code, _out, err = run(capsys, demo_copy, "publish", "2023-03", "--correction", "x")
    assert code == 1  # 2023-03 is not revealed yet: refused before anything else
    assert "尚未揭示" in err
