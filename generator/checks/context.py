"""What a check may know besides the model: the date, the calendar and the draw information.

Draw information comes from the draw log and secrets (``generator.state``); a check that needs
it for a task and finds none skips that task without a finding.

- ``selections``: task id -> the codes drawn (known once the task is drawn, from secrets or reveal)
- ``groups``: task id -> code -> inspector (and expert) ids of the group assigned to it
- ``published``: task id -> date the results were published; ``None`` = publication unknown
  (no draw log read), an empty mapping = nothing published yet
- ``drawn``: ids of the drawn tasks; ``cancelled``: ids of cancelled tasks
- ``draw_dates``: task id -> Beijing date of its draw (or of its imported list), when logged
- ``cache``: a folder where findings over the whole directory are kept between runs
  (``generator.checks.cache``; an incremental build's cache folder), or None
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..model import Model
from ..workdays import Calendar


@dataclass(frozen=True)
class CheckContext:
    as_of: dt.date
    calendar: Calendar
    selections: Mapping[str, frozenset[str]] = field(default_factory=dict)
    groups: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    published: Mapping[str, dt.date] | None = None
    drawn: frozenset[str] = frozenset()
    cancelled: frozenset[str] = frozenset()
    cache: Path | None = None
    draw_dates: Mapping[str, dt.date] = field(default_factory=dict)

    @classmethod
    def for_model(cls, model: Model, as_of: dt.date, **extras) -> CheckContext:
        """A context with the model's calendar (library + portal.yaml overrides)."""
        return cls(as_of=as_of, calendar=Calendar(model.portal.calendar_overrides), **extras)
