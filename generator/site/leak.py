"""Leak scanner: run over every output file at the end of every build; a hit fails the build.

Rules (DESIGN §2, PROTOCOL §9):

- embargoed values from the view (selected codes and names, inspector names of unpublished
  groups, codes, tickets and secrets of unrevealed tasks);
- secret-free rules of our own: the name of any enterprise without a published result, the name
  of any inspector in no published group, every internal (never public) directory value;
- personal numbers (ID-card, mobile and landline numbers) and credit-risk classes stated in words,
  anywhere, however written: ``generator.privacy``, the rules of ``gongshi check`` behind the
  same normaliser (full-width digits, zero-width characters, digits split by spaces, dots or
  dashes, ``+86``), read fast by ``generator.privacy.scan``.

Codes of enterprises legitimately appear in the canonical input files published at announcement
(``directory.csv``, ``roster.csv`` recusals, ``experts.csv``, ``exclusions.csv``): only the
code rule skips those files.

Every file is read through its layers before matching (:func:`readable`): gzip (sitemap),
HTML character references, JSON string escapes and invisible characters (zero-width space,
joiners, bidi controls, soft hyphen). The rules match the readable text; values that themselves hold one of
the characters the reading consumes (``&``, ``\\``, invisible ones) are matched against the raw
text as well. Each layer is one linear pass, skipped when the file cannot hold it.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import io
import os
import re
import zipfile
import zlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from ..fileio import read_cached, write_cached
from ..model import Model
from ..privacy import WHAT, find
from ..privacy.normalise import squeeze
from ..privacy.scan import mask_markup
from ..privacy.scan import scan as scan_personal
from .secret_scan import SecretFinder, unrevealed_commitments
from .view import PublicView

_CANONICAL_INPUTS = re.compile(r"^draws/([^/]+/(directory|roster|experts|exclusions)\.csv"
                               r"|snapshots\.d/[0-9a-f]{64}\.(csv|patch))$")
_MARKUP = (".html", ".htm", ".xml", ".svg")


@dataclass(frozen=True)
class Leak:
    file: str
    rule: str
    value: str

    def text(self) -> str:
        shown = self.value if len(self.value) <= 24 else self.value[:12] + "…"
        return f"[泄露] 文件 {self.file}：{self.rule}（值：「{shown}」）"


def _inflate(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            pass
    return data


#: Part of the scanner's digest: files scanned by an older scanner are scanned again.
SCAN_VERSION = 6
COMMITMENTS = "未揭示任务的承诺"  # "commitment:n" per unrevealed task (secret_scan)
#: Numbers the site publishes on purpose (the office's own 联系方式), as the rules give them.
PUBLIC_NUMBERS = "公开的联系电话"
#: Names of the embargo (selected, not yet published): also matched squeezed, like the codes
SQUEEZED_NAMES = "未公示的抽取名单企业名称"
_NOT_MATCHED = (COMMITMENTS, PUBLIC_NUMBERS, SQUEEZED_NAMES)
_CODES = "未公示的抽取名单代码"
#: Invisible characters a reader does not see: dropped before matching.
INVISIBLE = "\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
_DROP_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_JSON_ESCAPE = re.compile(r"\\(?:u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
                          r"|u([0-9a-fA-F]{4})|([\"\\/bfnrt]))")
_SIMPLE = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/"}


def _json_char(m: re.Match) -> str:
    if m.group(1):
        hi, lo = int(m.group(1), 16), int(m.group(2), 16)
        return chr(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
    if m.group(3):
        return chr(int(m.group(3), 16))
    return _SIMPLE[m.group(4)]


def readable(text: str) -> str:
    """The text a reader gets out of ``text``: JSON string escapes decoded, HTML character
    references replaced, invisible characters dropped (one linear pass each, when present)."""
    if "\\" in text:
        text = _JSON_ESCAPE.sub(_json_char, text)
    if "&" in text:
        text = html.unescape(text)
    if _INVISIBLE_RE.search(text):
        text = text.translate(_DROP_INVISIBLE)
    return text


def _special(value: str) -> bool:
    """A value that :func:`readable` could change: also matched against the raw text."""
    return "&" in value or "\\" in value or bool(_INVISIBLE_RE.search(value))


#: Names shorter than this are matched only as whole tokens (a table cell, a text node, or a
#: part of one between punctuation), never inside longer text: a two-character inspector name
#: such as 「王芳」 may legitimately appear inside an unrelated enterprise name.
SUBSTRING_MIN = 4
_TOKEN_SPLIT = re.compile(r"[\s<>\"'&=/\\,;:|{}\[\]()（）、，；：。·「」【】]+")


def _directory_rows(enterprises) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(code, name, internal values) of every enterprise; column-wise from a large directory
    (``DirectoryTable.batches``) instead of building half a million objects."""
    batches = getattr(enterprises, "batches", None)
    if batches is None:
        for code, e in enterprises.items():
            yield code, e.name, tuple(e.internal.values())
        return
    for c in batches():
        for code, name, risk in zip(c["code"], c["name"], c["risk"], strict=True):
            yield code, name, (risk,) if risk else ()


def inside(names: set[str], containers: set[str], min_len: int) -> set[str]:
    """The names (of at least ``min_len`` characters) that occur inside one of ``containers``.

    Every substring of ``min_len`` characters or more of every container is hashed into one
    sorted array (hundreds of thousands of containers: tens of millions of substrings, as 8-byte
    numbers rather than strings); a name whose hash is there is confirmed by a plain ``in`` on
    the container it came from, so a hash collision never decides anything."""
    import array

    import numpy as np

    pool = sorted(c for c in containers if len(c) >= min_len)
    hashes, owners = array.array("q"), array.array("l")
    for k, text in enumerate(pool):
        n = len(text)
        for i in range(n - min_len + 1):
            for j in range(i + min_len, n + 1):
                hashes.append(hash(text[i:j]))
                owners.append(k)
    asked = sorted(n for n in names if len(n) >= min_len)
    if not hashes or not asked:
        return set()
    h = np.frombuffer(hashes, dtype=np.int64)
    order = np.argsort(h, kind="stable")
    h = h[order]
    own = np.frombuffer(owners, dtype=np.int64 if owners.itemsize == 8 else np.int32)[order]
    q = np.fromiter((hash(n) for n in asked), dtype=np.int64, count=len(asked))
    lo, hi = np.searchsorted(h, q, "left"), np.searchsorted(h, q, "right")
    found = set()
    for i in np.nonzero(hi > lo)[0].tolist():
        name = asked[i]
        if any(name in pool[o] for o in own[lo[i]:hi[i]].tolist()):
            found.add(name)
    return found


def forbidden_values(model: Model, view: PublicView) -> dict[str, set[str]]:
    """rule -> values that must appear in no output file."""
    published_codes = {r.code for tv in view.tasks if tv.published for r in tv.results or ()}
    published_inspectors = {
        pid.lower() for tv in view.tasks if tv.published for line in tv.listing or ()
        for pid in line.inspector_ids}
    unpublished_names: set[str] = set()
    published_names: set[str] = set()
    internal: set[str] = set()
    for code, name, internal_values in _directory_rows(model.enterprises):
        (published_names if code in published_codes else unpublished_names).add(name)
        internal.update(val for val in internal_values if len(val) >= 3)
    # a name shared with a published enterprise stays allowed
    unpublished_names -= published_names
    inspector_names = {i.name for i in model.inspectors if i.id.lower() not in published_inspectors}
    inspector_names -= {i.name for i in model.inspectors if i.id.lower() in published_inspectors}
    shown_names = published_names | {i.name for i in model.inspectors
                                     if i.id.lower() in published_inspectors}
    embargo_names = set(view.embargo.names) - shown_names
    # An unpublished name that is part of a published one (「示例新丰宾馆」 inside
    # 「示例新丰宾馆有限公司」) cannot be told apart from it: allowed, like identical names.
    unpublished_names -= inside(unpublished_names, shown_names, SUBSTRING_MIN)
    rules = {
        "未公示企业名称": ({n for n in unpublished_names if len(n) >= 4}
                           | {n for n in embargo_names if len(n) >= 2}),
        "未公示检查人员姓名": {n for n in inspector_names if len(n) >= 2},
        "未揭示的秘密或签值": {s.lower() for s in view.embargo.secrets if len(s) >= 16},
        "内部分类（信用风险分类）": internal,
        "未公示的抽取名单代码": set(view.embargo.codes) - published_codes,
        COMMITMENTS: {f"{c}:{n}" for c, n in unrevealed_commitments(view).items()},
        PUBLIC_NUMBERS: {h.value for h in find(model.portal.contact or "")},
        SQUEEZED_NAMES: {n for n in embargo_names if len(n) >= SUBSTRING_MIN},
    }
    return rules


def rules_key(model: Model, view: PublicView) -> str | None:
    """A digest of everything :func:`forbidden_values` reads, or None when the directory has
    no content digest (a small in-memory one: computing the rules is cheap then). Equal keys
    give equal rules, so a scanner compiled for one key serves every build with that key."""
    directory = getattr(model.enterprises, "digest", None)
    if not directory:
        return None
    published = sorted({r.code for tv in view.tasks if tv.published for r in tv.results or ()})
    shown = sorted({pid.lower() for tv in view.tasks if tv.published
                    for line in tv.listing or () for pid in line.inspector_ids})
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update((Path(__file__).parent / "secret_scan.py").read_bytes())
    for part in (directory, published, shown, [(i.id, i.name) for i in model.inspectors],
                 model.portal.contact,
                 sorted(view.embargo.names), sorted(view.embargo.secrets),
                 sorted(view.embargo.codes), sorted(unrevealed_commitments(view).items())):
        h.update(repr(part).encode("utf-8") + b"\0")
    return h.hexdigest()


def scanner_for(model: Model, view: PublicView, cache_dir: Path | None = None) -> Scanner:
    """The compiled rules of this build. With ``cache_dir``, a scanner compiled by an earlier
    build from the same inputs (:func:`rules_key`) is reused (at city scale the rules take
    seconds to compute: half a million directory names); an unreadable cache is ignored."""
    key = rules_key(model, view) if cache_dir is not None else None
    path = Path(cache_dir) / "scanner.pickle" if cache_dir is not None else None
    if key is not None and path is not None:
        scanner = read_cached(path, key)
        if isinstance(scanner, Scanner):
            return scanner
    scanner = Scanner(forbidden_values(model, view))
    if key is not None and path is not None:
        write_cached(path, key, scanner)
    return scanner


class Scanner:
    """Compiled leak rules; ``scan_bytes`` checks one file's content.

    Large value sets (names of every unpublished enterprise: hundreds of thousands at city
    scale) are matched through their first four characters: an Aho-Corasick automaton of those
    (pyahocorasick, a few thousand keys, built in milliseconds) finds where one occurs, and only
    there are the candidate lengths compared. Values shorter than ``SUBSTRING_MIN`` characters are matched as whole tokens.
    """

    def __init__(self, rules: dict[str, set[str]], *, _raw: bool = False) -> None:
        self.digest = hashlib.sha256(repr((SCAN_VERSION, sorted(
            (rule, sorted(vals)) for rule, vals in rules.items()))).encode()).hexdigest()
        # values holding characters that reading consumes: matched against the raw text too
        # (by ``self.raw``); the readable text is matched against every value and its
        # readable form.
        self.raw: Scanner | None = None
        if not _raw:
            special = {rule: {v for v in vals if _special(v)} for rule, vals in rules.items()
                       if rule not in ("未揭示的秘密或签值", *_NOT_MATCHED)}
            special = {rule: vals for rule, vals in special.items() if vals}
            if special:
                self.raw = Scanner(special, _raw=True)
            rules = {rule: (set(vals) | {readable(v) for v in vals if _special(v)}) - {""}
                     for rule, vals in rules.items()}
        self.small: list[tuple[str, str]] = []  # rule, value: plain substring
        self.prefix: dict[str, dict[int, dict[str, str]]] = {}  # 4-char prefix -> len -> value
        self.tokens: dict[str, str] = {}  # short value -> rule
        self.secrets = [(v, v.encode()) for v in sorted(rules.get("未揭示的秘密或签值", ()))]
        # secrets and codes of unrevealed tasks, by their commitments; the signing key's form
        self.finder = SecretFinder({v.rsplit(":", 1)[0]: int(v.rsplit(":", 1)[1])
                                    for v in rules.get(COMMITMENTS, ())})
        self.public_numbers = frozenset(rules.get(PUBLIC_NUMBERS, ()))
        # the embargo's codes and names, squeezed (generator.privacy.normalise.squeeze): found
        # with spaces, dots, dashes or full-width characters put into them
        squeezed = {squeeze(v): (_CODES, v) for v in rules.get(_CODES, ())}
        squeezed.update((squeeze(v), ("未公示企业名称", v)) for v in rules.get(SQUEEZED_NAMES, ()))
        squeezed = {k: v for k, v in squeezed.items() if len(k) >= SUBSTRING_MIN}
        self._squeezed = None
        if squeezed and not _raw:
            self._squeezed = ahocorasick.Automaton()
            for key, payload in sorted(squeezed.items()):
                self._squeezed.add_word(key, payload)
            self._squeezed.make_automaton()
        for rule, values in rules.items():
            if rule in ("未揭示的秘密或签值", *_NOT_MATCHED):
                continue
            for val in sorted(values):
                if len(val) < SUBSTRING_MIN:
                    self.tokens.setdefault(val, rule)
                elif len(values) <= 64:
                    self.small.append((rule, val))
                else:
                    self.prefix.setdefault(val[:4], {}).setdefault(len(val), {})[val] = rule
        # no value holds a line break: a match never spans two lines, so a file made of the
        # lines of files found clean is clean (see ``scan``'s ``composed``)
        self.line_safe = (self.raw is None or self.raw.line_safe) and not any(
            "\n" in v or "\r" in v for values in rules.values() for v in values)
        self._starts = ahocorasick.Automaton()
        for gram in sorted(self.prefix):
            self._starts.add_word(gram, gram)
        if self.prefix:
            self._starts.make_automaton()


    def scan_text(self, rel: str, text: str, canonical: bool = False, *,
                  personal: bool = False) -> list[Leak]:
        """Rules on decoded text (names, codes), read through HTML references, JSON escapes and
        invisible characters; ``canonical``: a published input file; ``personal``: the
        personal-data rules too (:meth:`personal`; ``text`` is markup)."""
        plain = readable(text)
        leaks = self._match(rel, plain, canonical) + self._match_squeezed(rel, plain, canonical)
        if personal:
            masked = mask_markup(text)
            leaks += self.personal(rel, plain if masked is text else readable(masked))
        if plain != text and self.raw is not None:
            leaks += self.raw._match(rel, text, canonical)
        for layer in {text, plain}:
            leaks += [Leak(rel, rule, value)
                      for rule, value in self.finder.find(layer.encode("utf-8", "surrogatepass"))]
        return leaks

    def _match_squeezed(self, rel: str, text: str, canonical: bool) -> list[Leak]:
        if self._squeezed is None:
            return []
        return [Leak(rel, rule, value) for _end, (rule, value) in self._squeezed.iter(squeeze(text))
                if not (canonical and rule == _CODES)]

    def _match(self, rel: str, text: str, canonical: bool) -> list[Leak]:
        leaks: list[Leak] = []
        for rule, val in self.small:
            if canonical and rule == "未公示的抽取名单代码":
                continue
            if val in text:
                leaks.append(Leak(rel, rule, val))
        if self.prefix:
            # the automaton finds, in C, where a value's first four characters occur; only
            # there are the candidate lengths compared
            prefix = self.prefix
            for end, gram in self._starts.iter(text):
                at = end - 3
                for length, vals in prefix[gram].items():
                    rule = vals.get(text[at:at + length])
                    if rule and not (canonical and rule == "未公示的抽取名单代码"):
                        leaks.append(Leak(rel, rule, text[at:at + length]))
        if self.tokens:
            for tok in _TOKEN_SPLIT.split(text):
                rule = self.tokens.get(tok)
                if rule and not (canonical and rule == "未公示的抽取名单代码"):
                    leaks.append(Leak(rel, rule, tok))
        return leaks

    def personal(self, rel: str, text: str) -> list[Leak]:
        """Personal numbers and credit-risk statements in decoded text (``generator.privacy``:
        the rules of ``gongshi check``, through the one normaliser), except the office's own
        published contact numbers."""
        return [Leak(rel, f"疑似{WHAT[h.rule]}（规则 {h.rule}）", h.value)
                for h in scan_personal(text) if h.value not in self.public_numbers]

    def scan_bytes(self, rel: str, data: bytes, structured: bool = True) -> list[Leak]:
        data = _inflate(data)
        text = data.decode("utf-8", "replace")
        plain = readable(text)
        canonical = bool(_CANONICAL_INPUTS.match(rel))
        leaks = self._match(rel, plain, canonical) + self._match_squeezed(rel, plain, canonical)
        layers = [data]
        if plain != text:
            if self.raw is not None:
                leaks += self.raw._match(rel, text, canonical)
            layers.append(plain.encode("utf-8", "surrogatepass"))
        for layer in layers:
            leaks += [Leak(rel, rule, value) for rule, value in self.finder.find(layer)]
            if self.secrets:
                lower = layer.lower()
                leaks += [Leak(rel, "未揭示的秘密或签值", v) for v, raw in self.secrets
                          if raw in lower]
        if structured:
            # markup: SVG path data (icons' coordinates) masked before the references are read
            masked = mask_markup(text) if rel.endswith(_MARKUP) else text
            leaks += self.personal(rel, plain if masked is text else readable(masked))
        return unique(leaks)


def unique(leaks: list[Leak]) -> list[Leak]:
    return list(dict.fromkeys(leaks))


def _structured(rel: str) -> bool:
    return rel.endswith((".html", ".json", ".xml", ".csv", ".txt", ".js", ".md", ".jsonl"))


_WORK: dict = {}  # set in the parent before the workers fork
#: Below this many bytes the files are scanned in this process (forking costs more).
PARALLEL_MIN_BYTES = 16 << 20


def _scan_some(rels: list[str]) -> list[tuple[str, str, list[Leak]]]:
    root, scanner, want_digest = _WORK["root"], _WORK["scanner"], _WORK["digest"]
    known: dict[str, str] = _WORK["known"]
    out = []
    for rel in rels:
        data = (root / rel).read_bytes()
        digest = hashlib.sha256(data).hexdigest() if want_digest else ""
        if known.get(rel) == digest and digest:
            out.append((rel, digest, []))
        else:
            out.append((rel, digest, scan_file(scanner, rel, data)))
    return out


def scan_file(scanner: Scanner, rel: str, data: bytes) -> list[Leak]:
    """The leaks of one file of the site; a zip's members each as the file it holds (its path
    below the archive's top folder: the verification archive repeats draws/ and log/)."""
    if not rel.endswith(".zip"):
        return scanner.scan_bytes(rel, data, _structured(rel))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError):
        return scanner.scan_bytes(rel, data, False)  # unreadable: scanned as bytes
    leaks = []
    for name, content in members:
        inner = name.split("/", 1)[1] if "/" in name else name
        leaks += [Leak(f"{rel}:{name}", leak.rule, leak.value)
                  for leak in scan_file(scanner, inner, content)]
    return unique(leaks)


def _scan_all(root: Path, rels: list[str], scanner: Scanner, want_digest: bool,
              known: dict[str, str] | None = None) -> list[tuple[str, str, list[Leak]]]:
    """(rel, sha256 or "", leaks) per file, in the order of ``rels``; on every core when the
    files are large (each worker process reads and scans whole files)."""
    import multiprocessing

    _WORK.update(root=root, scanner=scanner, digest=want_digest, known=known or {})
    try:
        sizes = {rel: (root / rel).stat().st_size for rel in rels}
        workers = os.cpu_count() or 1
        if workers <= 1 or sum(sizes.values()) < PARALLEL_MIN_BYTES:
            return _scan_some(rels)
        # largest first, a few files per task: the big downloads spread over the workers
        by_size = sorted(rels, key=lambda r: -sizes[r])
        tasks, task, task_bytes = [], [], 0
        for rel in by_size:
            task.append(rel)
            task_bytes += sizes[rel]
            if task_bytes >= 1 << 20 or len(task) >= 64:
                tasks.append(task)
                task, task_bytes = [], 0
        if task:
            tasks.append(task)
        results: dict[str, tuple[str, str, list[Leak]]] = {}
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for part in pool.imap_unordered(_scan_some, tasks):
                results.update((r[0], r) for r in part)
        return [results[rel] for rel in rels]
    finally:
        _WORK.clear()


def scan(site_dir: str | Path, model: Model, view: PublicView,
         skip: frozenset[str] = frozenset(), scanner: Scanner | None = None, *,
         known: dict[str, str] | None = None, clean: dict[str, str] | None = None,
         composed: Mapping[str, Sequence[str]] | None = None,
         trusted: Collection[str] = frozenset()) -> list[Leak]:
    """Scan every output file under ``site_dir`` except the relative paths in ``skip``.

    ``known``: {relative path: sha256} of files found clean by an earlier scan with the same
    rules (:func:`verdict_digest`); a file with exactly those bytes at that path is not scanned
    again (the verdict depends only on the path, the bytes and the rules). ``clean``: filled
    with {relative path: sha256} of every file found clean here, for the next build.

    ``composed``: {file: its parts}, a file made of whole lines of its parts and of lines the
    parts hold too (the whole-office results files: a header line, then the tasks' lines). When
    no rule value holds a line break (``Scanner.line_safe``) a match cannot span two lines, so
    such a file is clean when each part is: found clean here, or in ``trusted`` (files not in
    this tree, found clean by an earlier build with the same rules). Otherwise it is scanned.
    """
    root = Path(site_dir)
    scanner = scanner or Scanner(forbidden_values(model, view))
    joined = dict(composed or {}) if scanner.line_safe else {}
    rels = [r for r in list_files(root) if r not in skip and r not in joined]
    want_digest = known is not None or clean is not None
    leaks: list[Leak] = []
    clean_here: set[str] = set(trusted)
    for rel, digest, found in _scan_all(root, rels, scanner, want_digest, known):
        leaks += found
        if not found:
            clean_here.add(rel)
            if clean is not None:
                clean[rel] = digest
    rest = sorted(rel for rel, parts in joined.items() if (root / rel).is_file()
                  and not all(part in clean_here for part in parts))
    for _rel, _digest, found in _scan_all(root, rest, scanner, False):
        leaks += found
    return leaks


def verdict_digest(scanner: Scanner) -> str:
    """What a cached scan verdict depends on besides the file: the rules and this code."""
    sources = Path(__file__).read_bytes() + (Path(__file__).parent / "secret_scan.py").read_bytes()
    return hashlib.sha256(scanner.digest.encode() + sources).hexdigest()


def list_files(root: Path) -> list[str]:
    """Relative paths (posix) of the files under ``root``, sorted; one pass of os.scandir."""
    out: list[str] = []
    stack = [("", str(root))]
    while stack:
        prefix, path = stack.pop()
        with os.scandir(path) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((prefix + entry.name + "/", entry.path))
                elif entry.is_file():
                    out.append(prefix + entry.name)
    out.sort()
    return out
