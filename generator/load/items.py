"""data/items.yaml: the 抽查事项清单, a list of {编号, 抽查类别, 抽查事项, 检查对象, 事项类别, 检查方式, 检查主体, 检查依据}."""

from __future__ import annotations

from ..model import Item, Origin, Vocabularies
from . import headers as H
from .base import ID_RE, LoadContext, text
from .records import key_origin, record
from .vocab import allowed, resolve, resolve_many, split_values
from .yamlio import load_yaml

FILE = "items.yaml"


def load_items(ctx: LoadContext, vocab: Vocabularies) -> tuple[Item, ...]:
    path = ctx.data_dir / FILE
    if not path.is_file():
        ctx.error("schema.file", "没有抽查事项清单 items.yaml", Origin(FILE),
                  fix="在数据目录中建立 items.yaml（格式见 ARCHITECTURE.md）。")
        return ()
    ok, data = load_yaml(ctx, path)
    if not ok:
        return ()
    if not isinstance(data, list):
        ctx.error("schema.type", "items.yaml 应为列表，每项一个抽查事项", Origin(FILE),
                  fix="每个事项以“- 编号: …”开头。")
        return ()
    out: list[Item] = []
    for entry in data:
        got = record(ctx, H.ITEM, entry, FILE, "抽查事项")
        if got is None:
            continue
        f, origin = got
        code = text(f.get("code"))
        good = True
        if not ID_RE.fullmatch(code):
            ctx.error("schema.id", "事项「编号」应为 1–32 位字母、数字、_ 或 -",
                      key_origin(entry, FILE, H.ITEM, "code"), value=code, fix="例如 A01。")
            good = False
        name = text(f.get("name"))
        if not name:
            ctx.error("schema.required", "「抽查事项」不能为空", key_origin(entry, FILE, H.ITEM, "name"),
                      fix="填写事项名称。")
            good = False
        kind_raw = text(f.get("kind"))
        kind = resolve(vocab.item_kinds, kind_raw) if kind_raw else None
        if kind is None:
            ctx.error("schema.vocab", "「事项类别」应为 重点检查事项 或 一般检查事项",
                      key_origin(entry, FILE, H.ITEM, "kind"), value=kind_raw,
                      fix="可用取值：" + allowed(vocab.item_kinds) + "。")
            good = False
        methods_raw = tuple(m for m in split_values(vocab.methods, f.get("methods")) if m not in ("—", "-", "－"))
        methods = resolve_many(ctx, vocab.methods, methods_raw,
                               key_origin(entry, FILE, H.ITEM, "methods"), "检查方式")
        if good:
            out.append(Item(
                code=code,
                category=text(f.get("category")),
                name=name,
                objects=text(f.get("objects")),
                kind=kind,
                methods=methods,
                authority=text(f.get("authority")),
                basis=text(f.get("basis")),
                origin=origin,
            ))
    return tuple(out)
