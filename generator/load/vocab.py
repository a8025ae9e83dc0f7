"""Vocabularies: shipped defaults (generator/defaults/vocab/) replaced by data/vocab/<name>.yaml.

A vocabulary file is a list of {代码, 名称, 上级?, 说明?}. Values in the office's files may be
written as a code or as the exact wording; wording is matched exactly first, then ignoring
full-width/half-width forms and white space. Variants of a wording are separate terms, so the
office's wording is kept and never rewritten.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..model import Origin, Term, Vocabularies, Vocabulary
from . import headers as H
from .base import LoadContext, split_multi, text
from .records import closest, record
from .yamlio import load_yaml

DEFAULTS = Path(__file__).resolve().parent.parent / "defaults" / "vocab"
NAMES = ("results", "followups", "methods", "scopes", "item_kinds")
MULTI = {"results": True, "followups": True, "methods": True, "scopes": False, "item_kinds": False}
TITLES = {
    "results": "检查结果",
    "followups": "后续处置",
    "methods": "检查方式",
    "scopes": "检查人员抽取方式",
    "item_kinds": "事项类别",
}
_SPACE = re.compile(r"\s+")


def load_vocabularies(ctx: LoadContext) -> Vocabularies:
    vocabs = {}
    for name in NAMES:
        override = ctx.data_dir / "vocab" / f"{name}.yaml"
        path = override if override.is_file() else DEFAULTS / f"{name}.yaml"
        vocab = _load_one(ctx, path, name)
        if vocab is None or not vocab.terms:
            vocab = _load_one(LoadContext(DEFAULTS), DEFAULTS / f"{name}.yaml", name)
        vocabs[name] = vocab
    return Vocabularies(**vocabs)


def _load_one(ctx: LoadContext, path: Path, name: str) -> Vocabulary | None:
    ok, data = load_yaml(ctx, path)
    rel = ctx.rel(path)
    if not ok:
        return None
    if not isinstance(data, list):
        ctx.error("schema.type", f"词表文件应为列表（每项 {{代码, 名称}}），实际为 {type(data).__name__}",
                  Origin(rel), fix="参照 generator/defaults/vocab/ 中的同名文件书写。")
        return None
    terms: list[Term] = []
    seen_codes: set[str] = set()
    seen_labels: set[str] = set()
    for entry in data:
        got = record(ctx, H.VOCAB_TERM, entry, rel, "词表条目")
        if got is None:
            continue
        f, origin = got
        code, label = text(f.get("code")), text(f.get("label"))
        if not code or not label:
            ctx.error("schema.required", "词表条目必须有「代码」和「名称」", origin,
                      fix="补全该条目的代码和名称。")
            continue
        if code in seen_codes or label in seen_labels:
            ctx.error("duplicates.vocab", f"词表中代码或名称重复：{code} {label}", origin,
                      value=code, fix="每个代码和每种写法只能出现一次。")
            continue
        seen_codes.add(code)
        seen_labels.add(label)
        terms.append(Term(code, label, text(f.get("parent")) or None, text(f.get("note")),
                          text(f.get("same_as")) or None, text(f.get("platform"))))
    for t in terms:
        if t.parent and t.parent not in seen_codes:
            ctx.error("references.vocab", f"词表条目「{t.label}」的上级代码 {t.parent} 不存在",
                      Origin(rel), value=t.parent, fix="改为本词表中已有的代码。")
        if t.same_as and t.same_as not in seen_codes:
            ctx.error("references.vocab", f"词表条目「{t.label}」的同义代码 {t.same_as} 不存在",
                      Origin(rel), value=t.same_as, fix="「同义」填写本词表中另一条目的代码。")
    return Vocabulary(name, tuple(terms), MULTI[name])


def _loose(s: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", s))


def resolve(vocab: Vocabulary, value: str) -> str | None:
    """A value written as code or wording -> the term's code, or None."""
    by_label = vocab.by_label()
    if value in by_label:
        return by_label[value].code
    if value in vocab.by_code():
        return value
    loose = _loose(value)
    for t in vocab.terms:
        if _loose(t.label) == loose:
            return t.code
    lower = loose.lower()
    for t in vocab.terms:
        if t.code.lower() == lower:
            return t.code
    return None


_SEPARATORS = "、;；,，\r\n"


def split_values(vocab: Vocabulary, value: object) -> tuple[str, ...]:
    """Split a multi-valued cell, keeping vocabulary wordings that contain separators whole.

    Follow-up wordings such as ``违反本部门相关规定，责令改正；后续跟踪由日常监管部门负责`` contain
    ``，`` and ``；``: at each position the longest wording of the vocabulary is taken first, and
    only text that matches no wording is split at separators.
    """
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return split_multi(value)
    s = text(value)
    labels = sorted((t.label for t in vocab.terms), key=len, reverse=True)
    out: list[str] = []
    i = 0
    while i < len(s):
        if s[i] in _SEPARATORS or s[i].isspace():
            i += 1
            continue
        for label in labels:
            if s.startswith(label, i):
                end = i + len(label)
                if end == len(s) or s[end] in _SEPARATORS or s[end].isspace():
                    token = label
                    break
        else:
            end = i
            while end < len(s) and s[end] not in _SEPARATORS:
                end += 1
            token = s[i:end].strip()
        if token and token not in out:
            out.append(token)
        i = end
    return tuple(out)


def allowed(vocab: Vocabulary) -> str:
    return "".join(f"「{t.label}」" for t in vocab.terms)


def resolve_many(
    ctx: LoadContext, vocab: Vocabulary, values: tuple[str, ...], origin: Origin, column: str
) -> tuple[str, ...]:
    """Resolve each value; an unknown value is an error naming the allowed values."""
    out: list[str] = []
    for v in values:
        code = resolve(vocab, v)
        if code is None:
            near = closest(v, [t.label for t in vocab.terms], cutoff=0.4)
            ctx.error(
                "schema.vocab",
                f"「{v}」不是{TITLES.get(vocab.name, vocab.name)}词表中的取值"
                + (f"；您是否想写「{near}」？" if near else ""),
                origin,
                column=column,
                value=v,
                fix=(f"改为「{near}」，或其他可用取值：" if near else "可用取值：") + allowed(vocab)
                + f"（也可写代码，多个值用、分隔）；如需新增写法，在 data/vocab/{vocab.name}.yaml 中加入。",
            )
        elif code not in out:
            out.append(code)
    return tuple(out)
