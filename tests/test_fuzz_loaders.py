"""Property-based fuzzing of every loader: any input either loads to a valid model or yields
findings; ``load_model`` never raises.

Each test writes one hostile file into the tiny valid data folder (tests/datamin.py) and loads
the folder. Invariants: no exception; every finding has a severity, a rule and a Chinese message;
the portal loads (it is untouched); every enterprise in the model has a valid code.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from pathlib import Path

import yaml
from adversarial import csv_bytes, truncated_xlsx_cases, xlsx_bytes
from datamin import DIRECTORY_HEADER, RESULTS_HEADER, ROSTER_HEADER, directory_rows, write_data_min
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc

from generator.findings import ERROR, WARNING
from generator.load import headers as H
from generator.load import load_model
from generator.load.base import code_problem

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CHINESE = re.compile(r"[\u4e00-\u9fff]")

ALIASES = sorted({name for table in (H.DIRECTORY, H.ROSTER, H.EXPERTS, H.RESULTS)
                  for canonical, aliases in table.values() for name in (canonical, *aliases)})
TASK_KEYS = sorted({name for table in (H.TASK, H.STRATUM, H.CONDITION, H.INSPECTORS, H.SOURCE)
                    for canonical, aliases in table.values() for name in (canonical, *aliases)})
CELL_ALPHABET = st.sampled_from(
    list(",;；、，\"'\r\n\t \x00\ufeff\u200b\u202e\u3000０Ａａ-/.年月日%：:{}[]#&*!|>")
    + list("0123456789ABCDEFGHJKLMNPQRTUWXYabcxyz") + list("统一社会信用代码企业名称存续餐饮是否𠀀䶮㐀😀")
)
CELLS = st.one_of(
    st.text(CELL_ALPHABET, max_size=24),
    st.sampled_from(["91410381MA0000001J", "91410381ma0000001j", "410381000012345", "2023-02-30",
                     "2023年13月1日", "44991", "未发现问题", "s01", "城关市场监管所", "是", "", "=1+1"]),
)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "latin-1"])


def _check(root: Path) -> None:
    model, findings = load_model(root)
    assert model is not None
    for f in findings:
        assert f.severity in (ERROR, WARNING) and f.rule and CHINESE.search(f.message), f
    for c, e in model.enterprises.items():
        assert c == e.code and code_problem(c) is None


def _with_file(rel: str, data: bytes, remove: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write_data_min(Path(tmp))
        if remove:
            (root / remove).unlink()
        (root / rel).write_bytes(data)
        _check(root)


@st.composite
def csv_files(draw, headers: list[str]) -> bytes:
    header = draw(st.lists(st.one_of(st.sampled_from(ALIASES + headers), st.text(CELL_ALPHABET, max_size=8)),
                           max_size=12))
    if draw(st.booleans()):
        header = headers + header[:2]
    rows = draw(st.lists(st.lists(CELLS, max_size=14), max_size=8))
    text = "\n".join(",".join(r) for r in [header, *rows])
    if draw(st.booleans()):  # properly quoted instead of raw
        text = csv_bytes([header, *rows]).decode("utf-8")
    encoding = draw(ENCODINGS)
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 4)) == 0:  # splice raw bytes somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=16)) + data[at:]
    if draw(st.integers(0, 5)) == 0:
        data = codecs.BOM_UTF8 + data
    return data


@FUZZ
@given(csv_files(DIRECTORY_HEADER))
@example(b"")
@example(codecs.BOM_UTF8)
@example(b'\xff\xfe\x00\x00"')
@example(",".join(DIRECTORY_HEADER).encode() + b'\n"' + b"x" * 140_000)
def test_fuzz_directory_csv(data):
    _with_file("directory/enterprises.csv", data)


@FUZZ
@given(csv_files(ROSTER_HEADER))
def test_fuzz_roster_csv(data):
    _with_file("roster/inspectors.csv", data)


@FUZZ
@given(csv_files(["专家编号", "姓名", "单位", "业务专长", "回避"]))
def test_fuzz_experts_csv(data):
    _with_file("roster/experts.csv", data)


@FUZZ
@given(csv_files(RESULTS_HEADER))
def test_fuzz_results_csv(data):
    _with_file("results/2023-01.csv", data)


# ------------------------------------------------------------------------- YAML

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=True),
    st.dates(), st.text(CELL_ALPHABET, max_size=16),
    st.sampled_from(["5%", "0%", "150%", "五成", "2023-02-30", "全局内随机", "ssq", "等于", "存续", "A01"]),
)
KEYS = st.one_of(st.sampled_from(TASK_KEYS), st.text(CELL_ALPHABET, max_size=6), st.integers(0, 3000))
DOCS = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(KEYS, inner, max_size=6)),
                    max_leaves=30)
YAML_TEXT = st.text(st.sampled_from(list("编号名称分层比例:-[]{},'\"&*!?|>#\n\t %5年2023")), max_size=80)


def _yaml_bytes(doc) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8")


@FUZZ
@given(st.one_of(DOCS.map(_yaml_bytes), YAML_TEXT.map(str.encode), st.binary(max_size=64)))
@example(b"a: " + b"[" * 3000)
@example(b"? [1, 2]\n: x\n")
@example(b"x: &a [*a]\n")
def test_fuzz_task_yaml(data):
    _with_file("tasks/2023-01.yaml", data)


@FUZZ
@given(st.one_of(DOCS.map(_yaml_bytes), YAML_TEXT.map(str.encode)))
def test_fuzz_items_yaml(data):
    _with_file("items.yaml", data)


@settings(max_examples=100, deadline=None)
@given(st.one_of(DOCS.map(_yaml_bytes), YAML_TEXT.map(str.encode), st.binary(max_size=32)))
def test_fuzz_portal_and_vocab_yaml(data):
    with tempfile.TemporaryDirectory() as tmp:
        root = write_data_min(Path(tmp))
        (root / "vocab").mkdir()
        (root / "vocab" / "results.yaml").write_bytes(data)
        _check(root)
        (root / "portal.yaml").write_bytes(data)
        model, findings = load_model(root)  # may be None: portal.yaml is the one file that must load
        assert model is not None or any(f.severity == ERROR and f.file == "portal.yaml" for f in findings)


# ------------------------------------------------------------------------- XLSX

_GOOD_XLSX = xlsx_bytes([DIRECTORY_HEADER, *directory_rows()[:3]])
XLSX_CELLS = st.one_of(CELLS, st.integers(-(10**6), 10**6), st.floats(allow_nan=False, allow_infinity=False),
                       st.datetimes(), st.none(), st.booleans())


@st.composite
def xlsx_files(draw) -> bytes:
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:  # the good workbook, cut or with a bit flipped
        data = bytearray(_GOOD_XLSX)
        if draw(st.booleans()):
            return bytes(data[: draw(st.integers(0, len(data)))])
        at = draw(st.integers(0, len(data) - 1))
        data[at] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    header = draw(st.lists(st.sampled_from(ALIASES + DIRECTORY_HEADER), max_size=12))
    rows = draw(st.lists(st.lists(XLSX_CELLS, max_size=12), max_size=5))
    clean = [[c.replace("\x00", "") if isinstance(c, str) else c for c in r] for r in rows]
    try:
        return xlsx_bytes([header, *clean])
    except ValueError:  # openpyxl refuses characters XML cannot hold
        return xlsx_bytes([header])


@settings(max_examples=120, deadline=None)
@given(xlsx_files())
def test_fuzz_directory_xlsx(data):
    _with_file("directory/enterprises.xlsx", data, remove="directory/enterprises.csv")


def test_truncated_xlsx_corpus_in_every_table_folder():
    for rel in ("roster/inspectors.xlsx", "roster/experts.xlsx", "results/2023-01.xlsx"):
        for data in truncated_xlsx_cases().values():
            _with_file(rel, data, remove=rel.replace(".xlsx", ".csv"))


# ------------------------------------------------------------------------- fast path


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), min_size=17, max_size=19))
def test_code_fast_path_agrees_with_python_stdnum(code):
    assert (code_problem(code) is None) == uscc.is_valid(code)
    if all(c in "0123456789ABCDEFGHJKLMNPQRTUWXY" for c in code[:17]):
        fixed = code[:17] + uscc.calc_check_digit(code[:17])
        assert (code_problem(fixed) is None) == uscc.is_valid(fixed)
