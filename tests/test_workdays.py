"""The publication calendar against domain-rules §6.3 (the State Council schedules 2023–2026)."""

from __future__ import annotations

import datetime as dt

import pytest

from generator.model import YearSchedule
from generator.workdays import Calendar, CalendarGapError

# domain-rules §6.3: holidays falling on Monday–Friday, and 调休 weekend workdays
HOLIDAY_WEEKDAYS = {
    2023: "01-02 01-23 01-24 01-25 01-26 01-27 04-05 05-01 05-02 05-03 06-22 06-23 09-29 10-02 10-03 10-04 10-05 10-06",
    2024: "01-01 02-12 02-13 02-14 02-15 02-16 04-04 04-05 05-01 05-02 05-03 06-10 09-16 09-17 10-01 10-02 10-03 10-04 10-07",
    2025: "01-01 01-28 01-29 01-30 01-31 02-03 02-04 04-04 05-01 05-02 05-05 06-02 10-01 10-02 10-03 10-06 10-07 10-08",
    2026: "01-01 01-02 02-16 02-17 02-18 02-19 02-20 02-23 04-06 05-01 05-04 05-05 06-19 09-25 10-01 10-02 10-05 10-06 10-07",
}
WEEKEND_WORKDAYS = {
    2023: "01-28 01-29 04-23 05-06 06-25 10-07 10-08",
    2024: "02-04 02-18 04-07 04-28 05-11 09-14 09-29 10-12",
    2025: "01-26 02-08 04-27 09-28 10-11",
    2026: "01-04 02-14 02-28 05-09 09-20 10-10",
}
TOTAL = {2023: 249, 2024: 251, 2025: 248, 2026: 248}


def _days(year: int, spec: str) -> set[dt.date]:
    return {dt.date(year, int(md[:2]), int(md[3:])) for md in spec.split()}


def _year(year: int):
    d = dt.date(year, 1, 1)
    while d.year == year:
        yield d
        d += dt.timedelta(days=1)


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
def test_every_day_matches_the_official_schedule(year):
    cal = Calendar()
    off = _days(year, HOLIDAY_WEEKDAYS[year])
    on = _days(year, WEEKEND_WORKDAYS[year])
    assert all(d.weekday() < 5 for d in off) and all(d.weekday() >= 5 for d in on)
    wrong = [d for d in _year(year) if cal.is_workday(d) != ((d.weekday() < 5 and d not in off) or d in on)]
    assert wrong == []
    assert sum(cal.is_workday(d) for d in _year(year)) == TOTAL[year]
    # invariant of domain-rules §6.3: 11 statutory days (≤ 2024), 13 (≥ 2025)
    assert len(off) - len(on) == (11 if year <= 2024 else 13)


D = dt.date


@pytest.mark.parametrize(
    "completion, n, deadline",
    [
        (D(2023, 3, 6), 1, D(2023, 3, 7)),  # start day not counted
        (D(2023, 3, 6), 20, D(2023, 4, 3)),
        (D(2023, 3, 11), 1, D(2023, 3, 13)),  # completion on a Saturday
        (D(2023, 10, 3), 1, D(2023, 10, 7)),  # completion on a holiday; 10-07 (Sat) is 调休 workday
        (D(2023, 10, 7), 1, D(2023, 10, 8)),  # completion on a 调休 workday; 10-08 (Sun) works too
        (D(2023, 9, 28), 20, D(2023, 11, 1)),  # spanning 国庆 + 中秋 (8 days off, 2 weekend workdays)
        (D(2024, 9, 27), 3, D(2024, 10, 8)),  # 9-29 (Sun) workday, 10-1..10-7 off
        (D(2025, 1, 24), 2, D(2025, 1, 27)),  # 1-26 (Sun) is a 调休 workday
        (D(2025, 9, 26), 20, D(2025, 10, 30)),  # spanning 2025 国庆中秋 (10-01..10-08)
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # 2026-02-14 (Sat) 调休 workday before 春节
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # 春节 02-15..02-23
        (D(2023, 12, 1), 20, D(2023, 12, 29)),
        (D(2023, 12, 15), 20, D(2024, 1, 15)),  # New Year into a covered year (2024-01-01 off)
    ],
)
def test_add_workdays(completion, n, deadline):
    assert Calendar().add_workdays(completion, n) == deadline


def test_new_year_into_a_year_without_data_is_an_error_naming_the_year():
    with pytest.raises(CalendarGapError) as exc:
        Calendar().add_workdays(D(2026, 12, 10), 20)
    assert exc.value.year == 2027
    msg = str(exc.value)
    assert "2027" in msg and "portal.yaml" in msg and "节假日" in msg and "调休上班" in msg


def test_a_year_before_the_library_is_an_error():
    with pytest.raises(CalendarGapError):
        Calendar().is_workday(D(2003, 6, 2))


def test_override_year_is_accepted():
    y2027 = YearSchedule(
        2027,
        holidays=frozenset({D(2027, 1, 1)} | {D(2027, 2, 5) + dt.timedelta(days=i) for i in range(9)}),
        workdays=frozenset({D(2027, 2, 20)}),
    )
    cal = Calendar([y2027])
    assert cal.covers(2027)
    assert not cal.is_workday(D(2027, 1, 1))  # a Friday off
    assert cal.is_workday(D(2027, 2, 20))  # a Saturday worked
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert cal.add_workdays(D(2026, 12, 10), 20) == D(2027, 1, 8)


def test_override_replaces_library_year():
    # an office entering a (hypothetical) changed 2026 schedule wins over the library
    cal = Calendar([YearSchedule(2026, frozenset(), frozenset())])
    assert cal.is_workday(D(2026, 10, 1))
    assert not cal.is_workday(D(2026, 10, 10))


def test_workdays_between():
    cal = Calendar()
    assert cal.workdays_between(D(2023, 9, 28), D(2023, 10, 9)) == 3  # 10-07, 10-08, 10-09
    assert cal.workdays_between(D(2023, 3, 6), D(2023, 3, 6)) == 0
    assert cal.workdays_between(D(2023, 3, 7), D(2023, 3, 6)) == 0


def test_library_years_cover_2004_to_2026():
    assert {2004, 2026} <= Calendar().years and 2027 not in Calendar().years
