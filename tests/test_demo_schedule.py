"""The demo's tasks and replay schedule: every state of DESIGN §2, floors, feasibility, sources."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import chinese_calendar
import pytest
import yaml

from generator.demo import demo_events, write_results
from generator.demo.district import AS_OF, build_district
from generator.demo.results import RESULTS_HEADER, results_bytes
from generator.demo.schedule import results_seed
from generator.demo.tasks import BEIJING, TASKS, quota, stratify, task_plan

BITS_TENTHS = {"fc3d": 100, "pl5": 166, "ssq": 241, "dlt": 244, "drand": 1280}
SCOPES = {"全局内随机", "局机关与市场监管所随机", "若干市场监管所随机", "单一市场监管所随机"}
VOCAB = Path(__file__).resolve().parents[1] / "generator" / "defaults" / "vocab"


@pytest.fixture(scope="module")
def district():
    return build_district()


def _deadline(completed: dt.date, workdays: int = 20) -> dt.date:
    d, n = completed, 0
    while n < workdays:
        d += dt.timedelta(days=1)
        n += chinese_calendar.is_workday(d)
    return d


def _state(task_id: str, events, as_of: dt.date) -> str:
    """DESIGN §2 from the task file's dates and the schedule, with the publication verdict."""
    plan = task_plan(task_id)
    kinds = {e.kind: e.time.astimezone(BEIJING).date() for e in events if e.task == task_id}
    if "cancel" in kinds:
        return "cancelled"
    if "publish" in kinds:
        late = kinds["publish"] > _deadline(plan.completion)
        return "published-late" if late else "published-on-time"
    if "draw" not in kinds:
        return "announced" if "commit" in kinds else "planned"
    if plan.completion and plan.completion <= as_of:
        return "overdue" if _deadline(plan.completion) < as_of else "completed-awaiting"
    return "inspecting" if plan.inspect_start <= as_of else "drawn"


def test_every_state_is_shown():
    events = demo_events()
    states = {t.id: _state(t.id, events, AS_OF) for t in TASKS}
    assert len(TASKS) >= 6
    assert set(states.values()) >= {
        "announced", "inspecting", "completed-awaiting", "published-on-time",
        "published-late", "overdue", "cancelled",
    }
    for plan in TASKS:  # the documented state agrees
        assert states[plan.id].split("-")[0] in (plan.state, "overdue" if plan.state == "completed" else "")


def test_events_in_time_order_utc_until_as_of():
    events = demo_events()
    times = [e.time for e in events]
    assert times == sorted(times)
    end = dt.datetime.combine(AS_OF + dt.timedelta(days=1), dt.time(0), BEIJING)
    for e in events:
        assert e.time.utcoffset() == dt.timedelta(0)
        assert e.time < end
        assert e.kind in ("commit", "import", "draw", "reassign", "reveal", "publish", "cancel")
    assert events == demo_events()


def test_sources_entropy_timing_and_numbers():
    events = {(e.kind, e.task): e for e in demo_events()}
    for plan in TASKS:
        assert sum(BITS_TENTHS[s.game] for s in plan.sources) >= 640
        for s in plan.sources:
            assert s.scheduled - plan.announce >= dt.timedelta(hours=24)
            assert s.document()["开奖时间"].endswith("+08:00")
        draw = events.get(("draw", plan.id))
        if draw is None:
            continue
        assert all(draw.time > s.scheduled for s in plan.sources)
        assert len(draw.numbers) == len(plan.sources)
        for s, typed in zip(plan.sources, draw.numbers, strict=True):
            nums = [int(x) for x in typed.split(" ")]
            assert len(nums) == s.document()["个数"]
            if s.game == "ssq":
                assert len(set(nums[:6])) == 6 and nums[:6] == sorted(nums[:6])
                assert all(1 <= n <= 33 for n in nums[:6]) and 1 <= nums[6] <= 16
            elif s.game == "dlt":
                assert nums[:5] == sorted(set(nums[:5])) and all(1 <= n <= 35 for n in nums[:5])
                assert nums[5:] == sorted(set(nums[5:])) and all(1 <= n <= 12 for n in nums[5:])
            else:
                assert all(0 <= n <= 9 for n in nums)


def test_strata_floors_with_exclusions(district):
    strata = {p.id: stratify(p, district.enterprises) for p in TASKS}
    for plan in TASKS:
        for rule, members in zip(plan.strata, strata[plan.id], strict=True):
            n = len(members)
            if plan.exclusion_rules:  # worst case: every earlier selection that shares an item
                codes = {e.code for e in members}
                for ref in TASKS:
                    if ref.draw and ref.draw < plan.announce and set(ref.items) & set(plan.items):
                        for r_rule, r_members in zip(ref.strata, strata[ref.id], strict=True):
                            k = quota(r_rule["比例"], len(r_members))
                            n -= min(k, sum(e.code in codes for e in r_members))
            assert n >= 20 or rule.get("比例") == "100%", (plan.id, rule["名称"], n)
            assert quota(rule["比例"], len(members)) >= 1


def test_scopes_group_sizes_and_feasibility(district):
    assert {p.inspectors["抽取方式"] for p in TASKS} == SCOPES
    assert any(p.inspectors["每组人数"] == 3 and p.inspectors.get("业务专长") for p in TASKS)
    assert any(p.inspectors.get("专家人数") == 1 for p in TASKS)
    assert {p.directed for p in TASKS} == {True, False}
    hq = {"xinyong", "fazhi", "shipin", "tezhong", "jiage", "guanggao", "zhiliang"}
    qualified = [i for i in district.inspectors if i.qualified]
    for plan in TASKS:
        team = plan.inspectors
        g, tags = team["每组人数"], set(team.get("业务专长", []))
        units = {e.unit for members in stratify(plan, district.enterprises) for e in members}
        for unit in units:
            kind = team["抽取方式"]
            if kind == "全局内随机":
                pool = qualified
            elif kind == "单一市场监管所随机":
                pool = [i for i in qualified if i.unit == unit]
            elif kind == "若干市场监管所随机":
                pool = [i for i in qualified if i.unit in team["单位"]]
            else:
                assert set(team["局机关"]) <= hq
                pool = [i for i in qualified if i.unit == unit or i.unit in team["局机关"]]
            assert len(pool) >= g + 1, (plan.id, unit)
            assert tags <= {t for i in pool for t in i.expertise}, (plan.id, unit)
        if team.get("专家人数"):
            need = set(team.get("专家专长", []))
            assert sum(need <= set(x.expertise) for x in district.experts) > team["专家人数"]


def test_exclusion_refers_to_an_earlier_draw_revealed_first():
    plan = next(p for p in TASKS if p.exclusion_rules)
    refs = [r for r in TASKS if r.draw and r.draw < plan.announce and set(r.items) & set(plan.items)]
    assert refs and all(r.draw.year == plan.announce.year for r in refs)
    assert all(r.reveal and (plan.reveal is None or r.reveal < plan.reveal) for r in refs)


def _vocab(name: str) -> tuple[set[str], set[str]]:
    terms = yaml.safe_load((VOCAB / f"{name}.yaml").read_text("utf-8"))
    return {str(t["代码"]) for t in terms}, {t["名称"] for t in terms}


def test_write_results_deterministic_and_in_vocabulary(district, tmp_path):
    result_codes, result_labels = _vocab("results")
    followup_codes, _ = _vocab("followups")
    for plan in [p for p in TASKS if p.results]:
        chosen = [e.code for e in district.active()[: 200]]
        seed = results_seed(plan.id)
        path = write_results(tmp_path, plan.id, chosen, seed)
        assert path.read_bytes() == results_bytes(plan.id, list(reversed(chosen)), seed)
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
        assert tuple(rows[0]) == RESULTS_HEADER
        assert sorted(r[0] for r in rows[1:]) == sorted(chosen)
        outcomes = set()
        for _code, _name, inspected, results, followups, _note, completed in rows[1:]:
            day = dt.date.fromisoformat(inspected)
            assert plan.inspect_start <= day <= plan.completion
            assert chinese_calendar.is_workday(day)
            assert completed == plan.completion.isoformat()
            for label in results.split("、"):
                assert label in result_labels
                outcomes.add(label)
            assert set(followups.split("、")) <= followup_codes
        assert "未发现问题" in outcomes and len(outcomes) >= 3
