"""The sharded search index: its reference query against a brute-force scan of the records,
at sizes small enough to force every path (inline ids, paged ids, several code groups)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.site import search_index as si

ALPHABET = "鸿绣超市食品有限公司华兴"


def brute(records: list[si.Record], text: str) -> list[str]:
    """The answer by definition: codes by prefix, then every record holding every segment."""
    q = si.normalize(text).strip()
    qsegs = si.segments(q)
    ents = sorted((r for r in records if r.code), key=lambda r: (r.code, r.url))
    ordered = ents + [r for r in records if not r.code]
    out = []
    if si.is_code_query(q):
        out += [r.url for r in ents if r.code.startswith(q)]
    if si.query_terms(qsegs):
        out += [r.url for r in ordered if r.url not in out
                and si.matches(si.searchable(r.title, r.keys), qsegs)]
    return out


def write(tmp: Path, records: list[si.Record]) -> Path:
    si.write_index(tmp, records)
    return tmp / si.INDEX_DIR


@pytest.fixture
def tiny(monkeypatch):
    """Sizes that make a few hundred records use every kind of file."""
    monkeypatch.setattr(si, "CHUNK", 4)
    monkeypatch.setattr(si, "RANGE", 16)
    monkeypatch.setattr(si, "INLINE_MAX", 5)
    monkeypatch.setattr(si, "BUCKET_BYTES", 200)
    monkeypatch.setattr(si, "GROUP", 3)


def _records(names: list[str]) -> list[si.Record]:
    out = [si.Record(f"enterprises/{9141000000000 + 7919 * i:018d}/", name,
                     f"{9141000000000 + 7919 * i:018d}", "企业 · 零售",
                     f"{9141000000000 + 7919 * i:018d}")
           for i, name in enumerate(names)]
    out += [si.Record("tasks/2023-01/", "2023年度食品经营者抽查", "2023-01 2023年度 食品销售",
                      "抽查任务"),
            si.Record("tasks/2023-02/", "2023年度超市ABC专项", "2023-02 2023年度 价格",
                      "抽查任务")]
    return out


@given(st.lists(st.integers(0, 10**7), unique=True).map(sorted), st.integers(0, 50))
def test_id_lists_round_trip(ids, base):
    ids = [base + i for i in ids]
    assert si.decode_ids(si.encode_ids(ids, base), base) == ids


def test_words_and_bigrams():
    assert si.segments(si.normalize("郑州鸿绣（超市）abc-12 Ｘ")) == [
        ("郑州鸿绣", False), ("超市", False), ("ABC", True), ("12", True), ("X", True)]
    assert si.index_terms(si.normalize("鸿绣超市 ab 9")) == {"鸿绣", "绣超", "超市", "AB"}
    assert si.query_terms(si.segments("鸿绣超市有")) == ["鸿绣", "超市", "市有"]
    long = si.query_terms(si.segments("一二三四五六七八九十甲乙丙丁戊"))
    assert len(long) == si.MAX_TERMS and long[0] == "一二" and long[-1] == "丁戊"


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fixed sizes only
@given(names=st.lists(st.text(ALPHABET, min_size=2, max_size=8), min_size=1, max_size=150),
       queries=st.lists(st.text(ALPHABET + " ", min_size=1, max_size=6), min_size=1,
                        max_size=6))
def test_query_equals_brute_force(tmp_path_factory, tiny, names, queries):
    records = _records(names)
    index = write(tmp_path_factory.mktemp("idx"), records)
    for q in queries + [names[0], names[-1][:2], "有限公司", "食品", "ABC", "2023"]:
        got, _files = si.query(index, q)
        assert got == brute(records, q), q


def test_codes_by_prefix_across_groups(tmp_path, tiny):
    records = _records([f"华兴{'食品' * (i % 3)}公司" for i in range(300)])
    index = write(tmp_path, records)
    assert len(list((index / "c").iterdir())) > 3
    for r in records[:300:37]:
        for n in (2, 6, 12, 18):
            got, _ = si.query(index, r.code[:n].lower())
            assert got == brute(records, r.code[:n]) and r.url in got
    assert si.query(index, "9141000000000000X")[0] == []


def test_frequent_terms_are_paged_and_intersected(tmp_path, tiny):
    records = _records(["鸿绣超市有限公司" if i % 2 else "华兴食品有限公司" for i in range(200)])
    index = write(tmp_path, records)
    assert any((index / "p").rglob("*.json"))
    for q in ("有限公司", "超市有限", "鸿绣 公司", "食品超市", "2023 ABC"):
        assert si.query(index, q)[0] == brute(records, q), q


def test_query_reads_few_files_at_scale(tmp_path):
    """20,000 enterprises at the real sizes: a query reads a handful of small files."""
    words = "鸿绣超市商贸科技餐饮建材五金食品药房汽修物流电子网络文化传媒广告印刷家具装饰华兴盛达明辉永安泰和顺昌隆"
    names = ["".join(words[b % len(words)]
                     for b in hashlib.blake2b(str(i).encode(), digest_size=5).digest()) + "有限公司"
             for i in range(20_000)]
    records = _records(names)
    index = write(tmp_path, records)
    for q in (names[123], names[4567][:2], records[999].code, records[999].code[:8],
              "有限公司"):
        urls, files = si.query(index, q, limit=20)
        assert urls == brute(records, q)[:20], q
        size = sum((index / f).stat().st_size for f in files)
        assert len(files) <= 30 and size < 120_000, (q, len(files), size)


def test_index_is_deterministic_and_escapes_nothing_into_markup(tmp_path):
    records = _records(["<script>alert(1)</script>有限公司", "鸿绣\u202e超市"])
    a = si.build_files(records)
    assert a == si.build_files(list(reversed(records[:2])) + records[2:])
    chunk = json.loads(a["r/0.json"])
    assert chunk[0][1] == "<script>alert(1)</script>有限公司"  # data, shown with textContent


def _segments_by_character(text: str) -> list[tuple[str, bool]]:
    out, cur, kind = [], [], 0
    for ch in text:
        k = si._kind(ch)
        if k != kind and cur:
            out.append(("".join(cur), kind == 1))
            cur = []
        kind = k
        if k:
            cur.append(ch)
    if cur:
        out.append(("".join(cur), kind == 1))
    return out


_CHARS = st.one_of(st.characters(max_codepoint=0x2FF), st.characters(min_codepoint=0x1FF0, max_codepoint=0x2200),
                   st.characters(min_codepoint=0x2FF0, max_codepoint=0x3100), st.characters(min_codepoint=0xFE00, max_codepoint=0xFFFF),
                   st.sampled_from("鸿绣\U0001F600\U00020000"))


@given(st.text(_CHARS, max_size=24))
def test_segments_regex_equals_the_character_rule(text):
    """The regex of ``segments`` is the per-character rule that the browser code applies."""
    assert si.segments(text) == _segments_by_character(text)
