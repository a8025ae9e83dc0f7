"""The site's search index: sharded so that a query downloads a few small files at any size.

Pagefind measured 450 KB per query and 38 s of indexing at 48,000 pages, growing with the site;
this index keeps a query to a handful of files of a few kilobytes each, whatever the number of
records. The browser side is ``site_overrides/assets/javascripts/gongshi-search.js``; the
function :func:`query` here is its reference (same steps, same files) and the tests hold the
two to the same answers.

What is searched: one compact record per task and per enterprise with a published result
(title, keys, detail), never whole pages. Text is read through :func:`normalize` (NFKC, ASCII
letters upper-cased) and cut into *segments*: runs of ASCII letters and digits, and runs of
other characters that are not separators (Chinese text). Index terms are the character bigrams
of each Chinese segment (a one-character segment is its own term) and each ASCII segment of two
or more characters as a whole word. Enterprise codes are found by prefix through a code table
instead (records of enterprises are sorted by code).

Layout under ``search-index/`` (all JSON):

- ``meta.json``: sizes, the query plan's costs, the separator ranges of :func:`segments` (the
  browser code reads them from here) and the first code of each group of record chunks;
- ``d/<b>.json``: dictionary bucket ``b = fnv1a32(term) % buckets``: term -> ``[df, ids]``
  (ids inline) or ``[df, n, ranges]`` (a frequent term: its ids are in ``p/<b>/<n>-<k>.json``,
  one file per range ``k`` of ``RANGE`` document numbers it occurs in);
- ``r/<c>.json``: records ``c * CHUNK`` to ``(c + 1) * CHUNK - 1``, each ``[url, title, keys,
  detail]``;
- ``c/<g>.json``: the first code of each record chunk of code group ``g``.

Document numbers: enterprises first, in code order, from 0; tasks after them, from the next
multiple of ``CHUNK``. Id lists are written as text: the first value, then each gap minus one,
in base 32 with the last digit of a number taken from a second alphabet (:func:`encode_ids`).

A query (:func:`query`): if it is letters and digits only, the enterprises whose code starts
with it; then the documents holding all of its terms (at most ``MAX_TERMS`` of its bigrams,
non-overlapping), each checked against the record itself, so that the answer is exactly the
records in which every segment of the query occurs (ASCII words as whole words).
"""

from __future__ import annotations

import bisect
import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

VERSION = 1
INDEX_DIR = "search-index"
CHUNK = 16  # records per record file
RANGE = 16384  # document numbers per postings file of a frequent term
INLINE_MAX = 256  # a term in more documents than this has its ids in postings files
BUCKET_BYTES = 12_000  # target size of a dictionary bucket
GROUP = 64  # record chunks per code group
MAX_TERMS = 6  # terms looked up per query (the answer is checked against the records)
# Query plan: the ids of a frequent term are fetched (for the ranges the candidates are in) when
# that costs fewer bytes than checking the candidates' records: ids * ID_BYTES against
# candidates * CHUNK * RECORD_BYTES (a candidate may need a whole record file).
ID_BYTES = 2
RECORD_BYTES = 40

_CONT = "0123456789abcdefghijklmnopqrstuv"
_LAST = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz_~"
_UPPER = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}
_SEPARATORS = ((0x80, 0xBF), (0xD7, 0xD7), (0xF7, 0xF7), (0x2000, 0x206F), (0x2190, 0x21FF),
               (0x2500, 0x257F), (0x3000, 0x303F), (0x30FB, 0x30FB), (0xFE10, 0xFE1F),
               (0xFE30, 0xFE4F), (0xFF00, 0xFF0F), (0xFF1A, 0xFF20), (0xFF3B, 0xFF40),
               (0xFF5B, 0xFF65), (0xFFF0, 0xFFFF))


@dataclass(frozen=True)
class Record:
    """One search result: ``keys`` is searched with the title; ``detail`` is only shown."""

    url: str  # relative to the site root, e.g. "enterprises/<code>/"
    title: str
    keys: str
    detail: str = ""
    code: str = ""  # enterprises: the code (sorted and found by prefix)


# -- text -------------------------------------------------------------------------------------

def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_UPPER)


def _kind(ch: str) -> int:
    """0 separator, 1 ASCII letter or digit, 2 other (Chinese) text."""
    o = ord(ch)
    if o < 0x80:
        return 1 if ("0" <= ch <= "9" or "A" <= ch <= "Z") else 0
    for lo, hi in _SEPARATORS:
        if lo <= o <= hi:
            return 0
    return 2


_SEGMENT = re.compile("([0-9A-Z]+)|([^\x00-\x7f" + "".join(
    f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in _SEPARATORS) + "]+)")


def segments(text: str) -> list[tuple[str, bool]]:
    """(segment, is ASCII) of normalized ``text``: the runs of :func:`_kind` 1 and 2."""
    return [(m.group(), m.lastindex == 1) for m in _SEGMENT.finditer(text)]


def index_terms(text: str) -> set[str]:
    """The terms of normalized text (:func:`searchable`)."""
    terms: set[str] = set()
    for seg, ascii_ in segments(text):
        if ascii_:
            if len(seg) >= 2:
                terms.add(seg)
        elif len(seg) == 1:
            terms.add(seg)
        else:
            terms.update(seg[i:i + 2] for i in range(len(seg) - 1))
    return terms


def query_terms(segs: list[tuple[str, bool]]) -> list[str]:
    """The terms a query looks up: whole ASCII words, non-overlapping bigrams of Chinese text
    (plus the last bigram of an odd-length segment); at most ``MAX_TERMS`` of them."""
    terms: list[str] = []
    for seg, ascii_ in segs:
        if ascii_:
            if len(seg) >= 2:
                terms.append(seg)
        elif len(seg) >= 2:
            terms += [seg[i:i + 2] for i in range(0, len(seg) - 1, 2)]
            if len(seg) % 2:
                terms.append(seg[-2:])
    terms = list(dict.fromkeys(terms))
    if len(terms) > MAX_TERMS:
        half = MAX_TERMS // 2
        terms = list(dict.fromkeys(terms[:half] + terms[-half:]))
    return terms


def searchable(title: str, keys: str) -> str:
    """The text a record is searched by (what it is indexed by and checked against)."""
    return normalize(f"{title} {keys}")


def matches(searchable_text: str, qsegs: list[tuple[str, bool]]) -> bool:
    """Whether every query segment occurs in the record (ASCII words of two or more
    characters as whole words)."""
    words = None
    for seg, ascii_ in qsegs:
        if ascii_ and len(seg) >= 2:
            if words is None:
                words = {s for s, a in segments(searchable_text) if a}
            if seg not in words:
                return False
        elif seg not in searchable_text:
            return False
    return True


def is_code_query(q: str) -> bool:
    return 2 <= len(q) <= 18 and all(_kind(ch) == 1 for ch in q)


def fnv1a(term: str) -> int:
    h = 0x811C9DC5
    for b in term.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


# -- id lists ---------------------------------------------------------------------------------

def encode_ids(ids: Iterable[int], base: int = 0) -> str:
    out: list[str] = []
    prev = base - 1
    for n in ids:
        v = n - prev - 1
        prev = n
        digits = [_LAST[v & 31]]
        v >>= 5
        while v:
            digits.append(_CONT[v & 31])
            v >>= 5
        out.append("".join(reversed(digits)))
    return "".join(out)


_CONT_VAL = {c: i for i, c in enumerate(_CONT)}
_LAST_VAL = {c: i for i, c in enumerate(_LAST)}


def decode_ids(text: str, base: int = 0) -> list[int]:
    out: list[int] = []
    prev = base - 1
    v = 0
    for ch in text:
        d = _CONT_VAL.get(ch)
        if d is not None:
            v = (v << 5) | d
            continue
        v = (v << 5) | _LAST_VAL[ch]
        prev = prev + v + 1
        out.append(prev)
        v = 0
    return out


# -- writing ----------------------------------------------------------------------------------

def _dump(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def build_files(records: list[Record]) -> dict[str, bytes]:
    """The index of ``records`` as {path under ``search-index/``: bytes}; deterministic."""
    ents = sorted((r for r in records if r.code), key=lambda r: (r.code, r.url))
    tasks = [r for r in records if not r.code]
    task_start = math.ceil(len(ents) / CHUNK) * CHUNK
    docs: list[tuple[int, Record]] = list(enumerate(ents))
    docs += [(task_start + i, r) for i, r in enumerate(tasks)]
    n_docs = task_start + len(tasks)

    postings: dict[str, list[int]] = {}
    for doc, rec in docs:
        for term in index_terms(searchable(rec.title, rec.keys)):
            postings.setdefault(term, []).append(doc)

    files: dict[str, bytes] = {}
    # dictionary: inline sizes decide the number of buckets (a power of two)
    inline_bytes = sum(len(t.encode()) + 8 + (2 * len(ids) if len(ids) <= INLINE_MAX else 12)
                       for t, ids in postings.items())
    buckets = 1
    while buckets < 65536 and inline_bytes / buckets > BUCKET_BYTES:
        buckets *= 2
    by_bucket: list[dict[str, list]] = [{} for _ in range(buckets)]
    paged_count = [0] * buckets
    for term in sorted(postings):
        ids = postings[term]
        b = fnv1a(term) % buckets
        if len(ids) <= INLINE_MAX:
            by_bucket[b][term] = [len(ids), encode_ids(ids)]
            continue
        n = paged_count[b]
        paged_count[b] += 1
        ranges: dict[int, list[int]] = {}
        for doc in ids:
            ranges.setdefault(doc // RANGE, []).append(doc)
        for k, part in ranges.items():
            files[f"p/{b}/{n}-{k}.json"] = _dump(encode_ids(part, k * RANGE))
        by_bucket[b][term] = [len(ids), n, encode_ids(sorted(ranges))]
    for b, entries in enumerate(by_bucket):
        if entries:
            files[f"d/{b}.json"] = _dump(entries)

    by_doc = dict(docs)
    for c in range(math.ceil(n_docs / CHUNK)):
        rows = [by_doc[d] for d in range(c * CHUNK, min(n_docs, (c + 1) * CHUNK)) if d in by_doc]
        if rows:
            files[f"r/{c}.json"] = _dump([[r.url, r.title, r.keys, r.detail] for r in rows])

    code_chunks = math.ceil(len(ents) / CHUNK)
    groups = []
    for g in range(math.ceil(code_chunks / GROUP)):
        firsts = [ents[c * CHUNK].code for c in range(g * GROUP, min(code_chunks, (g + 1) * GROUP))]
        files[f"c/{g}.json"] = _dump(firsts)
        groups.append(firsts[0])
    files["meta.json"] = _dump({
        "version": VERSION, "docs": n_docs, "enterprises": len(ents), "buckets": buckets,
        "chunk": CHUNK, "range": RANGE, "group": GROUP, "max_terms": MAX_TERMS,
        "plan": [ID_BYTES, RECORD_BYTES], "separators": [list(r) for r in _SEPARATORS],
        "groups": groups})
    return files


def write_index(site_dir: Path, records: list[Record]) -> dict[str, bytes]:
    """Write the index under ``site_dir/search-index``; returns what was written (by path
    relative to ``site_dir``)."""
    files = {f"{INDEX_DIR}/{rel}": data for rel, data in build_files(records).items()}
    made: set[Path] = set()
    for rel, data in sorted(files.items()):
        path = site_dir / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)
    return files


# -- reading (the reference of gongshi-search.js) ----------------------------------------------

class Reader:
    """Reads index files through ``fetch(relative path) -> bytes`` and caches them."""

    def __init__(self, fetch: Callable[[str], bytes]) -> None:
        self._fetch = fetch
        self._cache: dict[str, object] = {}
        self.fetched: list[str] = []
        self.meta = self.get("meta.json")
        if not isinstance(self.meta, dict) or self.meta.get("version") != VERSION:
            raise ValueError("搜索索引版本不符")

    def get(self, rel: str) -> object:
        if rel not in self._cache:
            self.fetched.append(rel)
            try:
                self._cache[rel] = json.loads(self._fetch(rel))
            except FileNotFoundError:
                self._cache[rel] = None
        return self._cache[rel]

    def record(self, doc: int) -> list[str]:
        chunk = self.meta["chunk"]
        return self.get(f"r/{doc // chunk}.json")[doc % chunk]  # type: ignore[index]

    def entry(self, term: str) -> list | None:
        b = fnv1a(term) % self.meta["buckets"]
        bucket = self.get(f"d/{b}.json") or {}
        return bucket.get(term)  # type: ignore[union-attr]

    def page(self, term: str, entry: list, k: int) -> list[int]:
        b = fnv1a(term) % self.meta["buckets"]
        return decode_ids(self.get(f"p/{b}/{entry[1]}-{k}.json"), k * self.meta["range"])  # type: ignore[arg-type]

    def code_docs(self, prefix: str) -> Iterator[int]:
        """Enterprises whose code starts with ``prefix``, in code order."""
        meta = self.meta
        chunk, group, n = meta["chunk"], meta["group"], meta["enterprises"]
        if not n:
            return
        g = max(0, bisect.bisect_left(meta["groups"], prefix) - 1)
        firsts = self.get(f"c/{g}.json")
        c = g * group + max(0, bisect.bisect_left(firsts, prefix) - 1)  # type: ignore[arg-type]
        doc = c * chunk
        while doc < n:
            code = self.record(doc)[2]
            if code.startswith(prefix):
                yield doc
            elif code > prefix:
                return
            doc += 1


def _intersect(lists: list[list[int]]) -> list[int]:
    lists = sorted(lists, key=len)
    out = lists[0]
    for other in lists[1:]:
        s = set(other)
        out = [d for d in out if d in s]
    return out


def _narrow(reader: Reader, cands: list[int], paged: list[tuple[str, list]]) -> list[int]:
    """Candidates from the rare terms, narrowed by the frequent ones: always by the ranges a
    term occurs in (known from its dictionary entry), and by its ids when fetching them for the
    candidates' ranges costs less than checking the candidates (see ``ID_BYTES``)."""
    meta = reader.meta
    span, chunk = meta["range"], meta["chunk"]
    id_bytes, record_bytes = meta["plan"]
    for term, entry in sorted(paged, key=lambda te: (te[1][0], te[0])):
        ranges = set(decode_ids(entry[2]))
        cands = [d for d in cands if d // span in ranges]
        needed = sorted({d // span for d in cands})
        if not cands or entry[0] / len(ranges) * len(needed) * id_bytes \
                > len(cands) * chunk * record_bytes:
            continue
        ids: set[int] = set()
        for k in needed:
            ids.update(reader.page(term, entry, k))
        cands = [d for d in cands if d in ids]
    return cands


def search(reader: Reader, text: str) -> Iterator[int]:
    """Document numbers matching ``text``, in order: codes by prefix, then by terms."""
    q = normalize(text).strip()
    qsegs = segments(q)
    seen: set[int] = set()
    if is_code_query(q):
        for doc in reader.code_docs(q):
            seen.add(doc)
            yield doc
    terms = query_terms(qsegs)
    if not terms:
        return
    entries = [reader.entry(t) for t in terms]
    if any(e is None for e in entries):
        return

    def checked(cands: Iterable[int]) -> Iterator[int]:
        for doc in cands:
            if doc in seen:
                continue
            rec = reader.record(doc)
            if matches(searchable(rec[1], rec[2]), qsegs):
                yield doc

    inline = [decode_ids(e[1]) for e in entries if isinstance(e[1], str)]  # type: ignore[index]
    if inline:
        yield from checked(_narrow(reader, _intersect(inline), [
            (t, e) for t, e in zip(terms, entries, strict=True) if not isinstance(e[1], str)]))  # type: ignore[index]
        return
    paged = list(zip(terms, entries, strict=True))
    ranges = _intersect([decode_ids(e[2]) for _t, e in paged])  # type: ignore[index]
    for k in ranges:
        yield from checked(_intersect([reader.page(t, e, k) for t, e in paged]))  # type: ignore[arg-type]


def query(index_dir: Path, text: str, limit: int | None = None) -> tuple[list[str], list[str]]:
    """(urls of the matches, files read) for ``text`` over the index in ``index_dir``."""
    reader = Reader(lambda rel: (index_dir / rel).read_bytes())
    urls = []
    for doc in search(reader, text):
        urls.append(reader.record(doc)[0])
        if limit is not None and len(urls) >= limit:
            break
    return urls, reader.fetched
