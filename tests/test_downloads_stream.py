"""The results downloads, written task by task."""

from __future__ import annotations

import datetime as dt


def test_results_files_written_task_by_task_join_the_tasks(tmp_path):
    """``write_results`` streams the whole-office files; they are exactly the tasks' files
    joined (CSV rows after each header, JSON elements in task order)."""
    import json

    from generator.site import downloads
    from generator.site.fixtures import fixture_model_with_results

    model, view = fixture_model_with_results(dt.date(2023, 12, 29))
    written = downloads.write_results(tmp_path, model, view)
    tasks = [tv.task.id for tv in view.tasks if tv.published]
    assert len(tasks) >= 2 and len(written) == 2 + 2 * len(tasks)
    joined = [rec for t in tasks
              for rec in json.loads((tmp_path / f"data/{t}/results.json").read_bytes())]
    assert json.loads((tmp_path / "data/results.json").read_bytes()) == joined and joined
    head, *rows = (tmp_path / "data/results.csv").read_bytes().split(b"\r\n")
    task_rows = [r for t in tasks
                 for r in (tmp_path / f"data/{t}/results.csv").read_bytes().split(b"\r\n")[1:]]
    assert rows == [r for r in task_rows if r] + [b""]
    assert head.startswith(b"\xef\xbb\xbf")
    assert downloads.to_csv(joined) == (tmp_path / "data/results.csv").read_bytes()
