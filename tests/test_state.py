"""Task states, what is public as of a date, and the checks' draw context (generator.state).

Runs on the committed demo data (read only): its log replays the office's 2023.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from generator.load import load_model
from generator.model import TaskState
from generator.state import check_context_extras, public_file_names, public_view, task_entries
from generator.tlog.verify_log import verify_log

DATA = Path(__file__).resolve().parent.parent / "data"
AS_OF = dt.date(2023, 12, 29)


@pytest.fixture(scope="module")
def model():
    m, findings = load_model(DATA)
    assert m is not None and not [f for f in findings if f.is_error]
    return m


@pytest.fixture(scope="module")
def view(model):
    return public_view(model, DATA, AS_OF)


def test_every_state_of_design_section_2_is_shown(view):
    states = {t.task.id: t.state for t in view.tasks}
    assert states == {
        "2023-01": TaskState.PUBLISHED,
        "2023-02": TaskState.PUBLISHED,
        "2023-03": TaskState.COMPLETED,
        "2023-04": TaskState.CANCELLED,
        "2023-05": TaskState.COMPLETED,
        "2023-06": TaskState.INSPECTING,
        "2023-07": TaskState.ANNOUNCED,
        "2023-08": TaskState.PUBLISHED,  # protocol 2
        "2023-09": TaskState.PUBLISHED,  # list drawn on the 协同监管平台, imported
        "2023-10": TaskState.PUBLISHED,  # list handed down by the superior bureau, imported
    }
    kinds = {t.task.id: (t.publication.kind, t.publication.workdays_late) for t in view.tasks}
    assert kinds["2023-01"] == ("on_time", 0)
    assert kinds["2023-02"] == ("late", 11)
    assert kinds["2023-03"] == ("overdue", 23)
    assert kinds["2023-05"][0] == "due"


def test_unpublished_tasks_show_no_selection(view):
    for t in view.tasks:
        if t.state is not TaskState.PUBLISHED:
            assert t.listing is None and t.results is None
            assert not {"listing.csv", "listing-0.csv", "results.csv", "cutoffs.csv"} & set(t.files)
        else:
            assert t.listing and t.results
            assert {r.code for r in t.results} == {r.code for r in t.listing}


def test_overdue_commitment_is_flagged(view):
    flagged = {t.task.id for t in view.tasks if t.commitment_overdue}
    assert flagged == {"2023-03"}


def test_embargo_holds_the_selected_codes_of_unpublished_tasks(model, view):
    unpublished = {r.code for tid in ("2023-03", "2023-05") for r in model.results[tid]}
    published = {r.code for t in view.tasks if t.listing for r in t.listing}
    assert unpublished - published <= view.embargo.codes
    assert not view.embargo.codes & published


def test_an_earlier_date_publishes_a_prefix_of_the_log_that_still_verifies(model):
    early = public_view(model, DATA, dt.date(2023, 6, 1))
    states = {t.task.id: t.state for t in early.tasks}
    assert states["2023-01"] is TaskState.INSPECTING
    # DESIGN §2: a planned task publishes nothing, unless its plan is public (2023-07), and
    # then only the plan's fields
    assert "2023-03" not in states and "2023-06" not in states
    plan = early.task("2023-07")
    assert states["2023-07"] is TaskState.PLANNED and plan.plan_only
    assert plan.task.strata == () and plan.task.sources == () and plan.task.description == ""
    lines = early.log_files["log/draws.jsonl"].splitlines()
    full = (DATA / "log" / "draws.jsonl").read_bytes().splitlines()
    assert lines == full[: len(lines)] and 0 < len(lines) < len(full)
    assert all(b'"code"' not in line for line in lines)  # no reveal yet
    failures = [c for c in verify_log(early.log_files) if not c.ok and c.severity == "error"]
    assert failures == []
    # The codes drawn for 2023-01 are embargoed: the office's folder holds its revealed listing.
    assert early.embargo.codes and early.embargo.secrets


def test_public_file_names_follow_the_log(model):
    task = model.task("2023-01")
    available = ["params.json", "directory.csv", "sources.json", "code.txt", "listing.csv",
                 "listing-0.csv", "cutoffs.csv", "results.csv", "exclusions.csv"]
    nothing = task_entries([], "2023-01")
    assert public_file_names(task, nothing, available) == []
    entries = [{"task": "2023-01", "type": "announce", "time": "2023-03-20T02:00:00Z"}]
    assert public_file_names(task, task_entries(entries, "2023-01"), available) == [
        "directory.csv", "params.json"]
    entries.append({"task": "2023-01", "type": "draw", "time": "2023-03-24T02:00:00Z"})
    assert "sources.json" in public_file_names(task, task_entries(entries, "2023-01"), available)
    entries.append({"task": "2023-01", "type": "reveal", "time": "2023-07-11T02:00:00Z"})
    names = public_file_names(task, task_entries(entries, "2023-01"), available)
    assert {"code.txt", "listing.csv", "listing-0.csv", "cutoffs.csv"} <= set(names)
    assert "results.csv" not in names


def test_check_context_extras_reads_public_listings_and_publication_dates(model):
    extras = check_context_extras(DATA, model, AS_OF, secrets_dir=DATA / "no-secrets-here")
    assert set(extras["published"]) == {"2023-01", "2023-02", "2023-08", "2023-09", "2023-10"}
    assert extras["published"]["2023-02"] == dt.date(2023, 9, 12)
    assert set(extras["selections"]) == {"2023-01", "2023-02", "2023-08"}  # the others are still secret
    assert "2023-04" in extras["cancelled"]
    assert {"2023-01", "2023-02", "2023-03", "2023-05", "2023-06"} <= extras["drawn"]
