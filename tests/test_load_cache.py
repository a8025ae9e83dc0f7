"""The load cache (generator/load/cache.py): a cached load equals an uncached one.

Every test compares ``load_model(folder, cache_dir=…)`` with ``load_model(folder)`` (model and
findings, ``==``, findings in the same order) on copies of the demo data, and checks that the
cache was really used (the parsers are made to fail) or really bypassed (the parsers are counted).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import shutil
from pathlib import Path

import pytest

from generator.load import directory as directory_mod
from generator.load import load_model
from generator.load import results as results_mod
from generator.load import tasks as tasks_mod
from generator.load.cache import KINDS, LoadCache, pack, unpack
from generator.load.directory_table import DirectoryTable
from generator.load.vocab import DEFAULTS as VOCAB
from generator.model import Origin, Result

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
_PARTS = ("portal.yaml", "items.yaml", "directory", "tasks", "results", "roster", "vocab")


def _copy_data(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in _PARTS:
        src = DATA / name
        if src.is_dir():
            shutil.copytree(src, dest / name)
        elif src.is_file():
            shutil.copy2(src, dest / name)
    return dest


def _break(root: Path) -> Path:
    """Broken rows in every cached kind of file: findings to replay."""
    first = (root / "directory" / "enterprises-2023.csv").read_bytes().decode("gb18030")
    header, row = first.splitlines()[:2]
    code = row.split(",")[0]
    cells = row.split(",")
    bad_code = [code[:-1] + ("0" if code[-1] != "0" else "1")] + cells[1:]
    no_name = ["91419999MA00000001", ""] + cells[2:]  # invalid check character too
    bad_unit = cells[:5] + ["不存在的监管所"] + cells[6:]
    bad_date = cells[:6] + ["2023-02-30"] + cells[7:]
    hidden = cells[:1] + ["示例\u200b公司"] + cells[2:]
    extra = "\n".join([header, ",".join(bad_code), ",".join(no_name), ",".join(bad_unit),
                       ",".join(bad_date), row, ",".join(hidden)]) + "\n"
    (root / "directory" / "zz-extra.csv").write_text(extra, encoding="utf-8")  # row: duplicate

    results = root / "results" / "2023-02.csv"
    text = results.read_text(encoding="utf-8-sig").splitlines()
    r = text[1].split(",")
    text += [",".join(["91419999MA00000001"] + r[1:]), ",".join(r[:2] + ["2023-13-01"] + r[3:]),
             ",".join(r[:3] + ["查无此结果"] + r[4:])]
    results.write_text("\n".join(text) + "\n", encoding="utf-8")
    (root / "results" / "9999-01.csv").write_text(text[0] + "\n" + text[1] + "\n", encoding="utf-8")

    (root / "tasks" / "2023-06.yaml").write_text("编号: 2023-06\n名称: [未闭合\n", encoding="utf-8")
    task = root / "tasks" / "2023-07.yaml"
    task.write_text(task.read_text(encoding="utf-8") + "未知的键: 1\n", encoding="utf-8")
    return root


def _same(a: tuple, b: tuple) -> None:
    model_a, findings_a = a
    model_b, findings_b = b
    assert [f.text() for f in findings_a] == [f.text() for f in findings_b]
    assert findings_a == findings_b
    assert model_a == model_b
    assert list(model_a.enterprises.items()) == list(model_b.enterprises.items())
    assert model_a.enterprises.digest == model_b.enterprises.digest != ""
    assert list(model_a.results) == list(model_b.results)


class _Counted:
    """Counts (and optionally forbids) calls of the parsers the cache spares."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, forbid: bool = False) -> None:
        self.calls: dict[str, list[str]] = {"directory": [], "tasks": [], "results": []}
        load_dir, load_task, load_res = (directory_mod._load_directory, tasks_mod._TaskLoader.load,
                                         results_mod._file_results)

        def directory(ctx, files, units):
            self._call("directory", "directory")
            return load_dir(ctx, files, units)

        def task(loader):
            self._call("tasks", loader.file)
            return load_task(loader)

        def results(ctx, path, task_id, vocab):
            self._call("results", ctx.rel(path))
            return load_res(ctx, path, task_id, vocab)

        self.forbid = forbid
        monkeypatch.setattr(directory_mod, "_load_directory", directory)
        monkeypatch.setattr(tasks_mod._TaskLoader, "load", task)
        monkeypatch.setattr(results_mod, "_file_results", results)

    def _call(self, kind: str, what: str) -> None:
        if self.forbid:
            raise AssertionError(f"parsed although cached: {what}")
        self.calls[kind].append(what)


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _break(_copy_data(tmp_path_factory.mktemp("broken") / "data"))


def test_cached_load_equals_uncached_on_demo_data(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    fresh = load_model(DATA)
    assert fresh[0] is not None
    _same(load_model(DATA, cache_dir=cache), fresh)  # cold: fills the cache
    assert sorted(p.name for p in cache.iterdir()) == sorted(f"{k}.pickle" for k in KINDS)
    _Counted(monkeypatch, forbid=True)
    _same(load_model(DATA, cache_dir=cache), fresh)  # warm: nothing parsed


def test_findings_replayed_in_order_on_broken_copy(broken, tmp_path, monkeypatch):
    fresh = load_model(broken)
    rules = {f.rule for f in fresh[1]}
    assert {"uscc.checksum", "schema.required", "references.unit", "schema.date", "schema.control",
            "duplicates.code", "schema.yaml", "schema.unknown_key", "schema.vocab",
            "references.task"} <= rules
    cache = tmp_path / "cache"
    _same(load_model(broken, cache_dir=cache), fresh)
    _Counted(monkeypatch, forbid=True)
    _same(load_model(broken, cache_dir=str(cache)), fresh)


def _warm(root: Path, cache: Path) -> None:
    load_model(root, cache_dir=cache)


def test_one_changed_results_file_is_parsed_alone(tmp_path, monkeypatch):
    root, cache = _copy_data(tmp_path / "data"), tmp_path / "cache"
    _warm(root, cache)
    path = root / "results" / "2023-01.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert "2023-04-03" in lines[1]
    lines[1] = lines[1].replace("2023-04-03", "2023-04-04", 1)
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    fresh = load_model(root)
    counted = _Counted(monkeypatch)
    got = load_model(root, cache_dir=cache)
    assert counted.calls == {"directory": [], "tasks": [], "results": ["results/2023-01.csv"]}
    _same(got, fresh)
    assert got[0].results["2023-01"][0].inspected == dt.date(2023, 4, 4)
    counted.calls["results"].clear()
    _same(load_model(root, cache_dir=cache), fresh)
    assert counted.calls["results"] == []  # the new version is cached in turn


def test_one_changed_task_file_is_parsed_alone(tmp_path, monkeypatch):
    root, cache = _copy_data(tmp_path / "data"), tmp_path / "cache"
    _warm(root, cache)
    path = root / "tasks" / "2023-03.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("名称: ", "名称: 改过的", 1),
                    encoding="utf-8")
    fresh = load_model(root)
    counted = _Counted(monkeypatch)
    got = load_model(root, cache_dir=cache)
    assert counted.calls == {"directory": [], "tasks": ["tasks/2023-03.yaml"], "results": []}
    _same(got, fresh)
    assert got[0].task("2023-03").title.startswith("改过的")


def test_changed_directory_file_reloads_and_changes_the_digest(tmp_path, monkeypatch):
    root, cache = _copy_data(tmp_path / "data"), tmp_path / "cache"
    before, _ = load_model(root, cache_dir=cache)
    path = root / "directory" / "enterprises-2023.csv"
    raw = path.read_bytes().decode("gb18030").splitlines()
    code = raw[1].split(",")[0]
    raw[1] = raw[1].replace("示例", "改名", 1)
    path.write_bytes(("\n".join(raw) + "\n").encode("gb18030"))
    fresh = load_model(root)
    counted = _Counted(monkeypatch)
    got = load_model(root, cache_dir=cache)
    assert counted.calls["directory"] == ["directory"] and counted.calls["tasks"] == []
    _same(got, fresh)
    assert got[0].enterprises[code].name.startswith("改名")
    assert got[0].enterprises.digest != before.enterprises.digest


def test_directory_digest_same_cached_and_uncached_and_follows_units(tmp_path):
    root, cache = _copy_data(tmp_path / "data"), tmp_path / "cache"
    plain, _ = load_model(root)
    assert len(plain.enterprises.digest) == 64
    assert load_model(root)[0].enterprises.digest == plain.enterprises.digest
    load_model(root, cache_dir=cache)
    assert load_model(root, cache_dir=cache)[0].enterprises.digest == plain.enterprises.digest
    portal = root / "portal.yaml"  # the units decide which unit a row belongs to
    portal.write_text(portal.read_text(encoding="utf-8").replace("名称: 信用监管科", "名称: 信用科"),
                      encoding="utf-8")
    assert load_model(root)[0].enterprises.digest != plain.enterprises.digest


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple, Path]:
    """An unchanged copy of the demo data, its uncached load and a cache filled by a load of it
    (copy the cache before use)."""
    base = tmp_path_factory.mktemp("pristine")
    root = _copy_data(base / "data")
    _warm(root, base / "cache")
    return root, load_model(root), base / "cache"


def _count(root: Path, folder: str) -> int:
    """The demo's task or results files (each is loaded once)."""
    return sum(1 for p in (root / folder).iterdir() if p.is_file())


def test_vocabularies_and_units_are_dependencies(tmp_path, monkeypatch):
    root, cache = _copy_data(tmp_path / "data"), tmp_path / "cache"
    task = root / "tasks" / "2023-01.yaml"  # the department written as the unit's name
    task.write_text(task.read_text(encoding="utf-8").replace("发起科室: xinyong", "发起科室: 信用监管科"),
                    encoding="utf-8")
    assert load_model(root, cache_dir=cache)[0].task("2023-01").department == "xinyong"
    portal = root / "portal.yaml"
    portal.write_text(portal.read_text(encoding="utf-8").replace("名称: 信用监管科", "名称: 信用科"),
                      encoding="utf-8")
    fresh = load_model(root)
    assert fresh[0].task("2023-01").department == "信用监管科"  # no longer a unit's name
    counted = _Counted(monkeypatch)
    _same(load_model(root, cache_dir=cache), fresh)
    assert len(counted.calls["tasks"]) == _count(root, "tasks") and counted.calls["results"] == []
    vocab = root / "vocab"  # other codes for the same wordings
    vocab.mkdir()
    for name, old, new in (("methods", "代码: onsite,", "代码: site,"),
                           ("results", '代码: "1", 名称: 未发现问题', "代码: ok, 名称: 未发现问题")):
        text = (VOCAB / f"{name}.yaml").read_text(encoding="utf-8")
        assert old in text
        text = text.replace(old, new).replace('同义: "1"', "同义: ok")  # its variants follow it
        (vocab / f"{name}.yaml").write_text(text, encoding="utf-8")
    fresh = load_model(root)
    assert all(f.file.startswith("roster/") for f in fresh[1])  # the roster names units too
    assert "site" in fresh[0].task("2023-01").methods
    assert ("ok",) in {r.results for r in fresh[0].results["2023-01"]}
    counted.calls = {"directory": [], "tasks": [], "results": []}
    got = load_model(root, cache_dir=cache)
    assert len(counted.calls["tasks"]) == _count(root, "tasks") and len(counted.calls["results"]) == _count(root, "results")
    _same(got, fresh)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped", "empty", "stale-pickle"])
def test_corrupt_cache_file_is_ignored_and_rewritten(pristine, tmp_path, monkeypatch, damage):
    root, fresh, filled = pristine
    cache = shutil.copytree(filled, tmp_path / "cache")
    for kind in KINDS:
        path = cache / f"{kind}.pickle"
        data = path.read_bytes()
        if damage == "garbage":
            data = b"\x80\x05not a pickle at all" * 10
        elif damage == "truncated":
            data = data[: len(data) // 2]
        elif damage == "flipped":  # a changed text in the payload: the checksum catches it
            i = data.rindex(b"2023")
            assert i > 200
            data = data[:i] + b"2024" + data[i + 4:]
        elif damage == "empty":
            data = b""
        else:  # a valid header in front of a pickle of something else
            data = data[:-len(data) + 150] + pickle.dumps({"x": (1, 2)})
        path.write_bytes(data)
    counted = _Counted(monkeypatch)
    _same(load_model(root, cache_dir=cache), fresh)
    assert counted.calls["directory"] == ["directory"] and len(counted.calls["results"]) == _count(root, "results")
    counted.forbid = True  # rewritten: the next load is served from the cache
    _same(load_model(root, cache_dir=cache), fresh)


def test_cache_folder_that_cannot_be_written_costs_only_speed(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    fresh = load_model(DATA)
    _same(load_model(DATA, cache_dir=blocker / "cache"), fresh)


def test_other_code_digest_invalidates(pristine, tmp_path, monkeypatch):
    root, unpatched, filled = pristine
    cache = shutil.copytree(filled, tmp_path / "cache")
    before = unpatched[0].enterprises.digest
    from generator.load import cache as cache_mod

    monkeypatch.setattr(cache_mod, "code_digest", lambda: "0" * 64)
    fresh = load_model(root)
    counted = _Counted(monkeypatch)
    got = load_model(root, cache_dir=cache)
    assert counted.calls["directory"] == ["directory"]
    assert len(counted.calls["tasks"]) == _count(root, "tasks") and len(counted.calls["results"]) == _count(root, "results")
    _same(got, fresh)
    assert got[0].enterprises.digest != before  # the digest names the code


def test_entries_not_used_are_dropped(tmp_path):
    root, cache = _copy_data(tmp_path / "data"), tmp_path / "cache"
    _warm(root, cache)
    n_results, n_tasks = _count(root, "results"), _count(root, "tasks")
    assert len(LoadCache(cache)._read("results")) == n_results
    assert len(LoadCache(cache)._read("tasks")) == n_tasks
    (root / "results" / "2023-05.csv").unlink()
    (root / "tasks" / "2023-07.yaml").unlink()
    _same(load_model(root, cache_dir=cache), load_model(root))
    assert len(LoadCache(cache)._read("results")) == n_results - 1
    assert len(LoadCache(cache)._read("tasks")) == n_tasks - 1
    shutil.rmtree(root / "results")
    load_model(root, cache_dir=cache)
    assert not (cache / "results.pickle").exists()


def test_other_data_folder_with_same_files_does_not_share_entries(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    a = _copy_data(tmp_path / "a")
    b = _copy_data(tmp_path / "b")
    _warm(a, cache)
    fresh = load_model(b)
    counted = _Counted(monkeypatch)
    _same(load_model(b, cache_dir=cache), fresh)
    assert counted.calls["directory"] == ["directory"]


def test_cache_inside_the_data_folder_is_refused(tmp_path):
    root = _copy_data(tmp_path / "data")
    fresh = load_model(root)
    _same(load_model(root, cache_dir=root / ".cache"), fresh)
    assert not (root / ".cache").exists()


def test_directory_table_pickles_its_columns_only(tmp_path):
    model, _ = load_model(DATA)
    table = model.enterprises
    assert isinstance(table, DirectoryTable)
    size = len(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    codes = list(table)[:50]
    for code in codes:  # enterprises looked up are remembered, never pickled
        assert table[code].code == code
    assert len(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)) == size
    copy = pickle.loads(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
    assert copy._built == {}
    assert copy.digest == table.digest and len(copy) == len(table)
    assert list(copy.items()) == list(table.items())
    assert list(copy.batches(1000)) == list(table.batches(1000))
    for code in codes:
        assert copy[code] == table[code] and copy.get(code) is copy[code]
    assert "91419999MA00000001" not in copy
    for a, b in zip(table._cat.values(), copy._cat.values(), strict=True):
        assert a.codes.dtype == b.codes.dtype and list(a.values) == list(b.values)
    assert copy._names._offsets.dtype == table._names._offsets.dtype
    assert (copy._inv == table._inv).all()


def test_pack_gives_back_equal_values():
    o = Origin("results/x.csv", 2, None)
    r1 = Result("x", "91419999MA00000001", dt.date(2023, 1, 2), dt.date(2023, 1, 3), ("A",),
                (), "", o)
    r2 = dataclasses.replace(r1, origin=None, note="备注")
    r3 = dataclasses.replace(r1, origin=Origin("a", None, "列"))
    for value in [(), None, (r1,), (r1, r2, r3), (r1, r3), (o, o), (1, "a", None), [r1],
                  (r1, "x"), {"a": (r1,)}, (dt.date(2020, 1, 1),)]:
        got = unpack(pack(value))
        assert got == value and type(got) is type(value)
    packed = pack((r1, r3))
    assert packed[0] == 1  # packed as columns
    assert pickle.loads(pickle.dumps(packed)) == packed
