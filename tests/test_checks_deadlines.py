import dataclasses
import datetime as dt

from datamin import context, load_min

from generator.checks import deadlines
from generator.checks.deadlines import publication_status
from generator.model import YearSchedule

D = dt.date
# completion 2023-06-30 (Fri) -> 20th working day after: 2023-07-28 (Fri)
DEADLINE = D(2023, 7, 28)


def _status(model, **kw):
    return publication_status(model.tasks[0], context(model, **kw))


def test_statuses(tmp_path):
    model = load_min(tmp_path)
    assert _status(model, published={"2023-01": D(2023, 7, 28)}) == deadlines.PublicationStatus(
        "on_time", DEADLINE, 0, D(2023, 7, 28))
    late = _status(model, published={"2023-01": D(2023, 8, 2)})
    assert (late.kind, late.workdays_late) == ("late", 3)
    overdue = _status(model, as_of=D(2023, 8, 4), published={})
    assert (overdue.kind, overdue.deadline, overdue.workdays_late) == ("overdue", DEADLINE, 5)
    due = _status(model, as_of=D(2023, 7, 10), published={})
    assert (due.kind, due.deadline) == ("due", DEADLINE)
    assert _status(model, as_of=D(2023, 6, 1), published={}).kind == "not_due"
    assert _status(model).kind == "unknown"  # no publication information at all
    undated = dataclasses.replace(model.tasks[0], completion_date=None)
    assert publication_status(undated, context(model)).kind == "not_due"


def test_on_time_and_due_give_no_finding(tmp_path):
    model = load_min(tmp_path)
    assert deadlines.check(model, context(model, published={"2023-01": DEADLINE})) == []
    assert deadlines.check(model, context(model, as_of=D(2023, 7, 3), published={})) == []
    assert deadlines.check(model, context(model)) == []


def test_late_and_overdue_are_warnings(tmp_path):
    model = load_min(tmp_path)
    (late,) = deadlines.check(model, context(model, published={"2023-01": D(2023, 8, 2)}))
    assert late.rule == "deadline.late" and late.severity == "warning" and "3 个工作日" in late.message
    (over,) = deadlines.check(model, context(model, as_of=D(2023, 8, 4), published={}))
    assert over.rule == "deadline.overdue" and over.severity == "warning" and "5 个工作日" in over.message
    assert over.file == "tasks/2023-01.yaml" and over.task == "2023-01"


def test_calendar_gap_is_an_error(tmp_path):
    model = load_min(tmp_path)
    t = dataclasses.replace(model.tasks[0], completion_date=D(2026, 12, 15))
    model = dataclasses.replace(model, tasks=(t,))
    (f,) = deadlines.check(model, context(model, as_of=D(2027, 2, 1), published={}))
    assert f.rule == "deadline.calendar" and f.is_error and "2027" in f.message
    # the office enters 2027 in portal.yaml: accepted
    y = YearSchedule(2027, frozenset({D(2027, 1, 1)}), frozenset())
    model = dataclasses.replace(model, portal=dataclasses.replace(model.portal, calendar_overrides=(y,)))
    s = publication_status(t, context(model, as_of=D(2027, 2, 1), published={}))
    assert s.kind == "overdue" and s.deadline == D(2027, 1, 13)


def test_portal_deadline_workdays(tmp_path):
    model = load_min(tmp_path)
    s = publication_status(model.tasks[0], context(model, published={}), deadline_workdays=10)
    assert s.deadline == D(2023, 7, 14)
