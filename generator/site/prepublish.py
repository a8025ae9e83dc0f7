"""The pre-publication scan that knows the secrets (``gongshi build``, before the swap).

The build itself never reads ``secrets/``: it cannot know which enterprises a task not yet
revealed has selected, nor who its inspectors and experts are. This step can: it reads the
draw records kept under ``secrets/<task>/`` (``listing-<n>.csv``: every listing since the draw,
reassignments included) of every task not revealed as of the build's date, and
the built site, and refuses publication when any of these values appears in an output file:

- the code of a selected enterprise, outside the files where every code of the directory is
  public anyway (the canonical snapshots ``draws/<task>/directory.csv``, ``roster.csv``,
  ``experts.csv``, ``exclusions.csv``);
- the name of a selected enterprise;
- the name of an inspector or expert of an unrevealed group (of three characters or more
  anywhere, of two as a whole token: 王芳 may be part of an enterprise's name).

A value public for another reason (the code and name of an enterprise whose result is
published, a person in a published group) is no secret and is not looked for. Nothing near the
value is needed: any appearance is enough. Every file is read through the normaliser's layers
(gzip, HTML references, JSON escapes, invisible characters, then NFKC; codes and long names
also with every space, dot and dash removed, so ``９１４１ ０３８１-MA…`` is still the code).

The step writes nothing: its verdict is the list of leaks (empty: publish). Values in reports
are shortened. ``gongshi build --no-secret-scan`` skips it on a build machine without secrets.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import ahocorasick

from ..model import Model
from ..protocol.errors import ProtocolError
from ..protocol.listing import parse_listing
from ..privacy.normalise import squeeze
from . import leak
from .leak import Leak
from .view import PublicView

CODES = "未公示的抽取名单代码"  # the leak scanner's code rule: allowed in the canonical snapshots
NAMES = "未揭示抽取名单中的企业名称"
PEOPLE = "未揭示检查组的检查人员或专家姓名"
PEOPLE_TOKENS = PEOPLE + "（整词）"  # names matched only as whole tokens; reported as PEOPLE
PERSON_MIN = 3  # person names of this length or longer are looked for inside any text
_LISTING = re.compile(r"^listing-([0-9]+)\.csv$")

def default_secrets_dir(data_dir: str | Path) -> Path:
    """``secrets/`` next to the data folder (where ``gongshi commit`` keeps them)."""
    return Path(data_dir).resolve().parent / "secrets"


def _listings(folder: Path) -> list[bytes]:
    if not folder.is_dir():
        return []
    found = sorted((int(m.group(1)), p) for p in folder.iterdir()
                   if (m := _LISTING.match(p.name)) and p.is_file())
    return [p.read_bytes() for _n, p in found]


def secret_values(secrets_dir: str | Path, model: Model, view: PublicView) -> dict[str, set[str]]:
    """rule -> the values of ``secrets/`` that no output file may hold."""
    root = Path(secrets_dir)
    codes: set[str] = set()
    people: set[str] = set()
    public_codes: set[str] = set()
    public_people: set[str] = set()
    for tv in view.tasks:
        if tv.listing is not None:
            public_codes.update(r.code for r in tv.listing)
            public_people.update(i for r in tv.listing for i in (*r.inspector_ids, *r.expert_ids))
            continue
        if tv.reveal is not None:  # revealed: its material is public (draws/<task>/), the
            continue  # state and the leak scanner decide what of it shows before publication
        for data in _listings(root / tv.task.id):
            try:
                lines = parse_listing(data)
            except ProtocolError:
                continue  # not a listing gongshi wrote: nothing to learn from it
            codes.update(ln.code for ln in lines)
            people.update(i for ln in lines for i in (*ln.inspectors, *ln.experts))
        public_codes.update(r.code for r in tv.results or ())
    codes -= public_codes
    shown = {model.enterprises[c].name for c in public_codes if c in model.enterprises}
    shown |= {_person(model, i) for i in public_people} - {""}
    names = {model.enterprises[c].name for c in codes if c in model.enterprises} - shown
    names = {n for n in names if len(n) >= 2} - leak.inside(names, shown, leak.SUBSTRING_MIN)
    persons = {_person(model, i) for i in people - public_people} - shown - {""}
    persons = {n for n in persons if len(n) >= 2}
    # a name of three characters is looked for anywhere, unless it is part of a public name
    # (张小明 in 张小明餐馆): then, like a name of two, only as a whole token
    whole = {n for n in persons if len(n) < PERSON_MIN} | leak.inside(persons, shown, PERSON_MIN)
    return {CODES: codes, NAMES: names, PEOPLE: persons - whole, PEOPLE_TOKENS: whole}


def _person(model: Model, person_id: str) -> str:
    person = model.inspector(person_id) or model.expert(person_id)
    return person.name if person is not None else ""


class SecretScanner:
    """The secret values, matched exactly (one Aho-Corasick automaton per layer) on each file's
    readable text after NFKC and, for codes and names of at least ``leak.SUBSTRING_MIN``
    characters, on its squeezed text; shorter names only as whole tokens."""

    def __init__(self, values: dict[str, set[str]]) -> None:
        self.empty = not any(values.values())
        self.tokens: dict[str, str] = {}
        plain: dict[str, tuple[str, str]] = {}
        squeezed: dict[str, tuple[str, str]] = {}
        for rule, vals in sorted(values.items()):
            shortest = PERSON_MIN if rule == PEOPLE else leak.SUBSTRING_MIN
            if rule == PEOPLE_TOKENS:
                rule, shortest = PEOPLE, 10**9
            for value in sorted(vals):
                nfkc = unicodedata.normalize("NFKC", value)
                if len(nfkc) < shortest:
                    self.tokens.setdefault(nfkc, rule)
                else:
                    plain.setdefault(nfkc, (rule, value))
                if len(squeeze(nfkc)) >= shortest:
                    squeezed.setdefault(squeeze(nfkc), (rule, value))
        self.plain, self.squeezed, self.gate = (_automaton(plain), _automaton(squeezed),
                                                _automaton({t: (r, t) for t, r in self.tokens.items()}))

    def scan_bytes(self, rel: str, data: bytes, structured: bool = True) -> list[Leak]:
        text = leak.readable(leak._inflate(data).decode("utf-8", "replace"))
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        canonical = bool(leak._CANONICAL_INPUTS.match(rel))
        found = [(rule, value) for automaton, layer in ((self.plain, text),
                                                         (self.squeezed, squeeze(text, nfkc=True)))
                 if automaton is not None for _end, (rule, value) in automaton.iter(layer)]
        if self.gate is not None and next(self.gate.iter(text), None) is not None:
            found += [(self.tokens[tok], tok) for tok in leak._TOKEN_SPLIT.split(text)
                      if tok in self.tokens]
        return leak.unique([Leak(rel, rule, _short(value)) for rule, value in found
                            if not (canonical and rule == CODES)])


def _automaton(words: dict[str, tuple[str, str]]):
    if not words:
        return None
    automaton = ahocorasick.Automaton()
    for word, payload in words.items():
        automaton.add_word(word, payload)
    automaton.make_automaton()
    return automaton


def _short(value: str) -> str:
    """Enough for the office to recognise the value, not the whole of it."""
    return value[:4] + "…" if len(value) >= 8 else value[:1] + "…"


def scan(site_dir: str | Path, secrets_dir: str | Path, model: Model, view: PublicView) -> list[Leak]:
    """The verdict on a built site: every appearance of a secret value (empty: publish)."""
    scanner = SecretScanner(secret_values(secrets_dir, model, view))
    if scanner.empty:
        return []
    root = Path(site_dir)
    rels = leak.list_files(root)
    found: list[Leak] = []
    for _rel, _digest, leaks in leak._scan_all(root, rels, scanner, False):  # type: ignore[arg-type]
        found += leaks
    return found
