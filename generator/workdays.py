"""The publication calendar: working days in mainland China.

A working day is Monday–Friday unless it is a statutory day off, or a Saturday/Sunday that the
State Council's yearly notice makes a working day (调休上班). Data comes from the
``chinesecalendar`` library (LKI/chinese-calendar, years 2004–2026 in 1.11.0) and from the
office's ``节假日`` entries in data/portal.yaml; a year entered there replaces the library's data
for that year, so an office can enter next year's notice before the library has it.

A date in a year with no data is never guessed: :class:`CalendarGapError` names the year and
says how to add it.

Deadline (domain-rules §2.2, 《民法典》第二百零一条): the n-th working day strictly after the
completion date (the start day is not counted).

>>> cal = Calendar()
>>> cal.add_workdays(dt.date(2023, 9, 28), 1)   # 9-29..10-6 off, 10-7 (Sat) is a 调休 workday
datetime.date(2023, 10, 7)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from chinese_calendar import constants as _cc

from .model import YearSchedule

LIBRARY_YEARS = range(
    min(d.year for d in _cc.holidays), max(d.year for d in _cc.holidays) + 1
)

EXAMPLE = """节假日:
  {year}:
    来源: 国务院办公厅关于{year}年部分节假日安排的通知
    放假: [{year}-01-01, {year}-10-01..{year}-10-07]
    调休上班: [{sunday}]"""


class CalendarGapError(Exception):
    """A date falls in a year for which there is no holiday schedule. The message is Chinese."""

    def __init__(self, year: int, covered: Iterable[int] = ()):
        self.year = year
        years = sorted(covered)
        span = f"{years[0]}–{years[-1]} 年" if years else "任何年份"
        super().__init__(
            f"没有 {year} 年的法定节假日安排，无法计算工作日（日历只覆盖 {span}）。"
            f"请按国务院办公厅《关于{year}年部分节假日安排的通知》，在 data/portal.yaml 中加入 "
            f"{year} 年的节假日，例如：\n" + EXAMPLE.format(year=year, sunday=_last_sunday_of_september(year))
        )


def _last_sunday_of_september(year: int) -> dt.date:
    d = dt.date(year, 9, 30)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


class Calendar:
    """Working days from chinesecalendar plus the office's overrides (whole years)."""

    def __init__(self, overrides: Iterable[YearSchedule] = (), library: bool = True):
        self._overrides = {s.year: s for s in overrides}
        self._library = set(LIBRARY_YEARS) if library else set()

    @property
    def years(self) -> frozenset[int]:
        return frozenset(self._library | set(self._overrides))

    def covers(self, year: int) -> bool:
        return year in self._overrides or year in self._library

    def is_workday(self, d: dt.date) -> bool:
        schedule = self._overrides.get(d.year)
        if schedule is not None:
            if d in schedule.workdays:
                return True
            return d.weekday() < 5 and d not in schedule.holidays
        if d.year not in self._library:
            raise CalendarGapError(d.year, self.years)
        # same rule as chinese_calendar.is_workday, without its NotImplementedError
        return d in _cc.workdays or (d.weekday() < 5 and d not in _cc.holidays)

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``start`` (n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        d = start
        while n:
            d += dt.timedelta(days=1)
            if self.is_workday(d):
                n -= 1
        return d

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a < d ≤ b (0 when b ≤ a): "late by N working days"."""
        count = 0
        d = a
        while d < b:
            d += dt.timedelta(days=1)
            if self.is_workday(d):
                count += 1
        return count
