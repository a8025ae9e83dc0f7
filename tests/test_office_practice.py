"""The whole task life tried on the demo without hand-made keys: ``gongshi demo --try`` and the
draw commands' ``--demo-time`` (refused on an office's real data)."""

from __future__ import annotations

import datetime as dt

import openpyxl

from generator.cli import main
from generator.office.practice import PRACTICE, practice_task
from generator.site.build import build_site

SOURCES = ["3 8 15 21 27 33 9", "4 12 19 25 33 2 7", "1 2 3 4 5", "7 8 9"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_practice_task_life_on_the_demo(demo_copy, capsys, tmp_path):
    # demo --try is the replayed demo plus the practice task: build that from the session's replay
    import yaml

    base = yaml.safe_load((demo_copy.data / "tasks" / "2023-07.yaml").read_text(encoding="utf-8"))
    (demo_copy.data / "tasks" / f"{PRACTICE}.yaml").write_text(
        yaml.safe_dump(practice_task(base), allow_unicode=True), encoding="utf-8")
    d = ["--data", str(demo_copy.data), "--secrets", str(demo_copy.secrets)]
    assert run(capsys, "commit", PRACTICE, *d, "--demo-time", "2024-01-10 10:00")[0] == 0
    src = [a for n in SOURCES for a in ("--source", n)]
    code, out, err = run(capsys, "draw", PRACTICE, *src, *d, "--yes", "--demo-time", "2024-01-18 10:00")
    assert code == 0, err
    assert "共抽中 6 户" in out
    rows = list(openpyxl.load_workbook(demo_copy.secrets / PRACTICE / "工作清单.xlsx").worksheets[0]
                .iter_rows(min_row=2, values_only=True))
    (demo_copy.data / "results" / f"{PRACTICE}.csv").write_text(
        "统一社会信用代码,检查日期,检查结果\n" + "".join(f"{r[2]},2024-02-01,未发现问题\n" for r in rows),
        encoding="utf-8")
    assert run(capsys, "reveal", PRACTICE, *d, "--demo-time", "2024-03-01 10:00")[0] == 0
    code, out, _ = run(capsys, "publish", PRACTICE, *d, "--demo-time", "2024-03-04 10:00")
    assert code == 0 and "2024-03-04 10:00:00（北京时间）" in out
    page = build_site(str(demo_copy.data), dt.date(2024, 3, 5), tmp_path / "site") / "tasks" / PRACTICE / "index.html"
    assert "检查结果公告" in page.read_text(encoding="utf-8")


def test_demo_time_is_refused_on_real_data(tmp_path, capsys):
    office = tmp_path / "office"
    assert run(capsys, "init", str(office), "--name", "测试局", "--url", "https://t.example/")[0] == 0
    code, _out, err = run(capsys, "commit", "2024-01", "--data", str(office / "data"),
                          "--demo-time", "2024-01-10 10:00")
    assert code == 1 and "只能用于示例数据" in err


def test_demo_try_refuses_a_folder_in_use(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    code, _out, err = run(capsys, "demo", "--try", str(tmp_path))
    assert code == 1 and "换一个新目录" in err
