"""Hostile files: each yields a Chinese error naming the file (and row and column where there is
one) and contributes nothing to the model — or loads exactly, where loading is the right answer.

Decisions pinned here:

- BOM, CRLF, GB18030 with characters outside GBK: load exactly like the UTF-8 twin.
- Mixed encodings in one file (UTF-8 lines and GBK lines, either order): an error naming the
  file and both lines, never mojibake.
- Truncated or garbage XLSX: an error naming the file; nothing of it is loaded.
- XLSX formulas are read as the cached values Excel stores; a formula without a cached value
  reads as an empty cell (reported like any empty cell). Merged cells are an error naming the
  range (only the top-left cell of a merged range holds a value).
- Blank rows are skipped but keep their numbers: the row after 100,000 blank rows is reported
  as row 100,003.
"""

from __future__ import annotations

import codecs
import datetime as dt
import time

import pytest
from adversarial import (
    DIRECTORY,
    OUTSIDE_GBK,
    SAMPLES,
    assert_error,
    blank_rows_csv,
    blank_rows_xlsx,
    csv_bytes,
    directory_csv,
    errors,
    folder,
    gbk_then_utf8_csv,
    load,
    mixed_encoding_csv,
    outside_gbk_csv,
    truncated_xlsx_cases,
    with_cached_values,
    write_big_directory_csv,
    write_samples,
    xlsx_bytes,
)
from datamin import CODES, DIRECTORY_HEADER, RESULTS_HEADER, directory_rows

from generator.cli import main


def _codes_from(model, file: str) -> set[str]:
    return {c for c, e in model.enterprises.items() if e.origin and e.origin.file == file}


# ------------------------------------------------------------------------- loads exactly


@pytest.mark.parametrize(
    "name, content",
    [
        ("bom", codecs.BOM_UTF8 + directory_csv()),
        ("crlf", directory_csv(newline="\r\n")),
        ("bom_crlf", codecs.BOM_UTF8 + directory_csv(newline="\r\n")),
        ("gb18030_crlf", directory_csv(encoding="gb18030", newline="\r\n")),
        ("gbk", directory_csv(encoding="gbk")),
        ("tab_separated", directory_csv().replace(b",", b"\t")),
        ("cr_only", directory_csv(newline="\r")),
    ],
)
def test_encodings_and_line_ends_load_like_utf8(tmp_path, name, content):
    plain, _ = load(folder(tmp_path / "plain"))
    model, findings = load(folder(tmp_path / name, directory__enterprises_csv=content))
    assert findings == []
    assert model.enterprises == plain.enterprises


def test_gb18030_characters_outside_gbk_load_exactly(tmp_path):
    content = outside_gbk_csv()
    with pytest.raises(UnicodeEncodeError):
        "".join(OUTSIDE_GBK).encode("gbk")
    model, findings = load(folder(tmp_path, directory__enterprises_csv=content))
    assert findings == []
    for i, ch in enumerate(OUTSIDE_GBK):
        assert model.enterprises[CODES[i]].name == f"示例{ch}有限公司"


def test_header_only_and_empty_files(tmp_path):
    model, findings = load(folder(tmp_path / "h", directory__enterprises_csv=csv_bytes([DIRECTORY_HEADER])))
    assert errors(findings) == [] and model.enterprises == {}
    model, findings = load(folder(tmp_path / "e", directory__enterprises_csv=b""))
    f = assert_error(findings, file=DIRECTORY, rule="schema.missing_column", row=1)
    assert "统一社会信用代码" in f.message and model.enterprises == {}
    for content in (b"\n\n\n", codecs.BOM_UTF8, b"\r\n"):
        _, findings = load(folder(tmp_path / f"w{len(content)}", directory__enterprises_csv=content))
        assert_error(findings, file=DIRECTORY, rule="schema.missing_column", row=1)


# ------------------------------------------------------------------------- encodings


@pytest.mark.parametrize("content", [mixed_encoding_csv(), mixed_encoding_csv(bom=True), gbk_then_utf8_csv()],
                         ids=["utf8_then_gbk", "bom_utf8_then_gbk", "gbk_then_utf8"])
def test_mixed_encodings_are_an_error_not_mojibake(tmp_path, content):
    model, findings = load(folder(tmp_path, directory__enterprises_csv=content))
    f = assert_error(findings, file=DIRECTORY, rule="schema.file")
    assert "编码混杂" in f.message and "第" in f.message and "UTF-8" in f.message
    assert model.enterprises == {}  # no partial output: nothing of the file is loaded


def test_undecodable_bytes_name_the_line(tmp_path):
    content = directory_csv()[:-1] + b"\n" + b"\xff\xfe\xfd\n"
    _, findings = load(folder(tmp_path, directory__enterprises_csv=content))
    f = assert_error(findings, file=DIRECTORY, rule="schema.file")
    assert "第 32 行" in f.message


def test_utf16_export_is_an_error(tmp_path):
    text = ",".join(DIRECTORY_HEADER) + "\n"
    _, findings = load(folder(tmp_path, directory__enterprises_csv=codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert_error(findings, file=DIRECTORY, rule="schema.file")


def test_committed_samples_are_current_and_behave(tmp_path):
    fresh = tmp_path / "samples"
    write_samples(fresh)
    for path in sorted(fresh.iterdir()):
        assert (SAMPLES / path.name).read_bytes() == path.read_bytes(), path.name
    ok, f1 = load(folder(tmp_path / "a", directory__enterprises_csv=(SAMPLES / "bom_crlf.csv").read_bytes()))
    assert f1 == [] and len(ok.enterprises) == 30
    _, f2 = load(folder(tmp_path / "b", directory__enterprises_csv=(SAMPLES / "mixed_utf8_then_gbk.csv").read_bytes()))
    assert_error(f2, file=DIRECTORY, rule="schema.file")


# ------------------------------------------------------------------------- columns


def test_missing_required_columns_named(tmp_path):
    header = [h for h in DIRECTORY_HEADER if h not in ("成立日期", "登记状态")]
    rows = [[c for h, c in zip(DIRECTORY_HEADER, r, strict=True) if h in header] for r in directory_rows()]
    model, findings = load(folder(tmp_path, directory__enterprises_csv=csv_bytes([header, *rows])))
    f = assert_error(findings, file=DIRECTORY, rule="schema.missing_column", row=1)
    assert "成立日期" in f.message and "登记状态" in f.message
    assert model.enterprises == {}


def test_duplicate_columns_named_both(tmp_path):
    header = [*DIRECTORY_HEADER, "信用代码"]
    rows = [[*r, "X"] for r in directory_rows()]
    _, findings = load(folder(tmp_path, directory__enterprises_csv=csv_bytes([header, *rows])))
    f = assert_error(findings, file=DIRECTORY, rule="schema.duplicate_column", row=1, column="信用代码")
    assert "统一社会信用代码" in f.message


def test_extra_columns_warn_and_rows_with_extra_cells_load(tmp_path):
    header = [*DIRECTORY_HEADER, "联系人", ""]
    rows = [[*r, "某某", "多余", "更多"] for r in directory_rows()]
    model, findings = load(folder(tmp_path, directory__enterprises_csv=csv_bytes([header, *rows])))
    assert errors(findings) == []
    (w,) = findings
    assert (w.rule, w.row, w.column) == ("schema.unknown_column", 1, "联系人")
    assert len(model.enterprises) == 30


def test_short_rows_report_the_missing_cells(tmp_path):
    rows = directory_rows()
    rows[3] = rows[3][:4]
    model, findings = load(folder(tmp_path, directory__enterprises_csv=csv_bytes([DIRECTORY_HEADER, *rows])))
    assert_error(findings, file=DIRECTORY, row=5, column="所属监管所")
    assert_error(findings, file=DIRECTORY, row=5, column="成立日期")
    assert CODES[3] not in model.enterprises and len(model.enterprises) == 29


def test_unbalanced_quote_swallowing_the_file_is_an_error(tmp_path):
    # An opening quote never closed makes the rest of the file one cell of > 128 Ki characters.
    rows = directory_rows() + [[CODES[0], '"未闭合的引号']] + [["x" * 100] for _ in range(2000)]
    body = directory_csv() + f'{CODES[0]},"未闭合的引号\n'.encode() + ("x" * 100 + "\n").encode() * 2000
    assert rows
    model, findings = load(folder(tmp_path, directory__enterprises_csv=body))
    f = assert_error(findings, file=DIRECTORY, rule="schema.file")
    assert "引号" in f.message and "第" in f.message
    assert model.enterprises == {}


# ------------------------------------------------------------------------- XLSX


@pytest.mark.parametrize("case", sorted(truncated_xlsx_cases()))
def test_truncated_or_broken_xlsx_is_an_error_naming_the_file(tmp_path, case):
    content = truncated_xlsx_cases()[case]
    model, findings = load(folder(tmp_path, directory__enterprises_csv_delete="",
                                  directory__enterprises_xlsx=content))
    f = assert_error(findings, file="directory/enterprises.xlsx", rule="schema.file")
    assert "Excel" in f.message
    assert model.enterprises == {}


def test_xlsx_formulas_read_as_cached_values(tmp_path):
    rows = [DIRECTORY_HEADER, *directory_rows()]

    def edit(ws) -> None:
        ws["B2"] = '=CONCAT("示例","公式有限公司")'
        ws["G3"] = "=DATE(2015,4,12)"

    data = with_cached_values(xlsx_bytes(rows, edit), {"B2": "示例公式有限公司", "G3": "2015-04-12"})
    model, findings = load(folder(tmp_path / "cached", directory__enterprises_csv_delete="",
                                  directory__enterprises_xlsx=data))
    assert findings == []
    assert model.enterprises[CODES[0]].name == "示例公式有限公司"
    assert model.enterprises[CODES[1]].registered == dt.date(2015, 4, 12)
    # Without a cached value (a file never opened in Excel) the cell is empty: reported.
    _, findings = load(folder(tmp_path / "uncached", directory__enterprises_csv_delete="",
                              directory__enterprises_xlsx=xlsx_bytes(rows, edit)))
    assert_error(findings, file="directory/enterprises.xlsx", rule="schema.required", row=2, column="企业名称")


def test_xlsx_merged_cells_are_an_error_naming_the_range(tmp_path):
    rows = [DIRECTORY_HEADER, *directory_rows()]
    data = xlsx_bytes(rows, lambda ws: ws.merge_cells("F2:F5"))
    model, findings = load(folder(tmp_path, directory__enterprises_csv_delete="",
                                  directory__enterprises_xlsx=data))
    assert_error(findings, file="directory/enterprises.xlsx", rule="schema.merged", row=2, column="所属监管所",
                 value="F2:F5")
    assert_error(findings, file="directory/enterprises.xlsx", row=3, column="所属监管所")
    assert CODES[0] in model.enterprises and CODES[1] not in model.enterprises


def test_xlsx_date_cells_and_numbers_load(tmp_path):
    rows = directory_rows()
    rows[0][6] = dt.datetime(2015, 1, 5)
    rows[1][6] = 42106  # a numeric cell: Excel's own serial number of 2015-04-12
    data = xlsx_bytes([DIRECTORY_HEADER, *rows])
    model, findings = load(folder(tmp_path, directory__enterprises_csv_delete="",
                                  directory__enterprises_xlsx=data))
    assert findings == []
    assert model.enterprises[CODES[0]].registered == dt.date(2015, 1, 5)
    assert model.enterprises[CODES[1]].registered == dt.date(2015, 4, 12)


def test_results_xlsx_with_hostile_cells(tmp_path):
    data = xlsx_bytes([RESULTS_HEADER, [CODES[0], None, dt.datetime(2023, 5, 10), "未发现问题", None, None, None],
                       [CODES[1], None, "2023-02-30", "未发现问题", None, None, None]])
    model, findings = load(folder(tmp_path, **{"results__2023-01_csv_delete": "", "results__2023-01_xlsx": data}))
    assert_error(findings, file="results/2023-01.xlsx", rule="schema.date", row=3, column="检查日期",
                 value="2023-02-30")
    assert [r.code for r in model.results["2023-01"]] == [CODES[0]]


# ------------------------------------------------------------------------- size


@pytest.mark.slow
def test_100000_blank_rows_are_skipped_quickly(tmp_path):
    for name, data in (("csv", blank_rows_csv()), ("xlsx", blank_rows_xlsx())):
        root = folder(tmp_path / name, directory__enterprises_csv_delete="",
                      **{f"directory__enterprises_{name}": data})
        t0 = time.perf_counter()
        model, findings = load(root)
        elapsed = time.perf_counter() - t0
        print(f"100,000 blank rows ({name}, {len(data) / 1e6:.1f} MB): load_model {elapsed:.2f} s")
        assert findings == []
        assert set(model.enterprises) == {CODES[0], CODES[1]}
        assert model.enterprises[CODES[1]].origin.row == 100_003  # numbered as in Excel
        assert elapsed < 20


@pytest.mark.slow
def test_50_mb_directory_loads_in_reasonable_time(tmp_path):
    root = folder(tmp_path)
    path = root / DIRECTORY
    n = write_big_directory_csv(path)
    size = path.stat().st_size
    assert size >= 50 * 1024 * 1024
    t0 = time.perf_counter()
    model, findings = load(root)
    elapsed = time.perf_counter() - t0
    print(f"50 MB CSV: {size / 1e6:.1f} MB, {n} rows, load_model {elapsed:.1f} s")
    bad = [f for f in findings if f.file == DIRECTORY]
    assert [f.row for f in bad] == [k + 1 for k in range(100_000, n + 1, 100_000)]
    assert all(f.rule == "uscc.checksum" and f.column == "统一社会信用代码" for f in bad)
    assert len(model.enterprises) == n - len(bad)
    assert elapsed < 120


def test_gongshi_check_on_hostile_files_exits_1(tmp_path, capsys):
    cases = {
        "mixed": {"directory__enterprises_csv": mixed_encoding_csv()},
        "truncated": {"directory__enterprises_csv_delete": "",
                      "directory__enterprises_xlsx": truncated_xlsx_cases()["half"]},
    }
    for name, files in cases.items():
        root = folder(tmp_path / name, **files)
        code = main(["check", "--data", str(root), "--as-of", "2023-09-01", "--json"])
        out = capsys.readouterr().out
        assert code == 1, name
        assert '"rule": "schema.file"' in out and "directory/enterprises" in out
