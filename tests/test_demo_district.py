"""The district demo: deterministic bytes, valid codes, sizes, encodings, loadable."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from stdnum.cn import uscc

from generator.demo import write_office_files
from generator.demo.district import (
    DIRECTORY_FILE,
    EXPERTS_FILE,
    HQ_UNITS,
    POPULATION_CUTOFF,
    REGION,
    ROSTER_FILE,
    STATIONS,
    build_district,
    org_code_check,
)

REPO = Path(__file__).resolve().parents[1]
OFFICE_FILES = ("portal.yaml", "items.yaml", DIRECTORY_FILE, ROSTER_FILE, EXPERTS_FILE)


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    write_office_files(out)
    return out


@pytest.fixture(scope="module")
def district():
    return build_district()


def test_two_runs_give_identical_bytes(demo_dir, tmp_path):
    write_office_files(tmp_path)
    assert _hashes(tmp_path) == _hashes(demo_dir)
    write_office_files(tmp_path)  # idempotent over an existing folder
    assert _hashes(tmp_path) == _hashes(demo_dir)


def test_repository_data_is_the_generated_demo(demo_dir):
    data = REPO / "data"
    if not (data / "portal.yaml").exists():
        pytest.skip("data/ not populated")
    generated = _hashes(demo_dir)
    for name, digest in generated.items():
        assert _hashes(data).get(name) == digest, f"data/{name} differs from `gongshi demo`"


def test_codes_valid_unique_fictitious(district):
    codes = [e.code for e in district.enterprises]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert uscc.is_valid(code), code
        assert code[:2] in ("91", "92", "93") and code[2:8] == REGION
        assert code[16] == org_code_check(code[8:16])


def test_directory_size_and_population(district):
    active = [e for e in district.enterprises if e.status == "存续"]
    assert len(active) >= 3000
    assert all(e.registered < POPULATION_CUTOFF for e in district.enterprises)
    assert {e.entity_type for e in active} == {"企业", "个体工商户", "农民专业合作社"}
    assert {e.industry_risk for e in active} == {"高", "中", "低"}
    assert {e.risk for e in active} == {"A", "B", "C", "D"}
    assert len({e.name for e in district.enterprises}) == len(district.enterprises)
    assert all(e.name.startswith(("示例区", "示例市")) for e in district.enterprises)
    # two-character searches find a handful, not everything
    for e in active[:20]:
        fragment = e.name[3:5]
        hits = sum(fragment in x.name for x in active)
        assert 1 <= hits < len(active) // 10, fragment


def test_units_and_rosters(district):
    assert len(STATIONS) >= 10
    inspectors = district.inspectors
    assert len(inspectors) >= 40
    assert len({i.id for i in inspectors}) == len(inspectors)
    assert any(not i.qualified for i in inspectors)
    assert sum(i.qualified for i in inspectors) >= len(inspectors) - 3
    assert any(i.recusals for i in inspectors)
    units = {i.unit for i in inspectors if i.qualified}
    assert {u for u, _ in HQ_UNITS} <= units and {s for s, *_ in STATIONS} <= units
    for sid, *_ in STATIONS:  # scope `own` works everywhere with groups of 2
        assert sum(1 for i in inspectors if i.unit == sid and i.qualified) >= 2
    assert len(district.experts) >= 3
    ids = {i.id.lower() for i in inspectors} | {x.id.lower() for x in district.experts}
    assert len(ids) == len(inspectors) + len(district.experts)


def test_encodings_as_an_office_writes_them(demo_dir):
    raw = (demo_dir / DIRECTORY_FILE).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw.decode("gb18030"))))
    assert rows[0][0] == "统一社会信用代码" and rows[0][-1] == "信用风险分类"
    dates = [r[6] for r in rows[1:]]
    assert any("年" in d for d in dates) and any("/" in d for d in dates)
    assert any(len(d) == 10 and d[4] == "-" for d in dates)
    roster = (demo_dir / ROSTER_FILE).read_bytes()
    assert roster.startswith(b"\xef\xbb\xbf")
    assert roster.decode("utf-8-sig").startswith("人员编号,姓名,单位,职务,业务专长,执法证号,执法资格,回避,个人上限")
    with zipfile.ZipFile(demo_dir / EXPERTS_FILE) as z:
        assert "xl/workbook.xml" in z.namelist()
        assert all(i.date_time == (2023, 1, 1, 0, 0, 0) for i in z.infolist())


def test_loads_without_findings(demo_dir):
    load = pytest.importorskip("generator.load")
    model, findings = load.load_model(demo_dir)
    assert model is not None
    assert [f.text() for f in findings if f.is_error] == []
    assert len(model.enterprises) == len(build_district().enterprises)
    assert len(model.tasks) >= 6


def test_loads_with_results_without_findings(demo_dir, tmp_path):
    """What the replay produces: office files plus results of the drawn tasks."""
    import shutil

    from generator.demo import write_results
    from generator.demo.schedule import results_seed
    from generator.demo.tasks import TASKS, stratify

    load = pytest.importorskip("generator.load")
    shutil.copytree(demo_dir, tmp_path, dirs_exist_ok=True)
    district = build_district()
    for plan in TASKS:
        if plan.results:
            members = [e.code for s in stratify(plan, district.enterprises) for e in s]
            write_results(tmp_path, plan.id, members[::17], results_seed(plan.id))
    model, findings = load.load_model(tmp_path)
    assert model is not None
    assert [f.text() for f in findings] == []
    assert len(model.results) == sum(p.results for p in TASKS)
