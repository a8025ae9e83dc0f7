"""YAML files with Chinese errors that name the file and line.

Mappings are loaded as :class:`LineDict`, which remembers the 1-based line where the mapping
starts and the line of each key, so findings about a YAML record can name its line.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

import yaml

from ..model import Origin
from .base import LoadContext


class LineDict(dict):
    line: int | None = None
    key_lines: dict[str, int]

    def line_of(self, key: str | None) -> int | None:
        if key is not None and key in getattr(self, "key_lines", {}):
            return self.key_lines[key]
        return self.line


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):  # `? [a, b]: …` is valid YAML but no usable key
            raise yaml.constructor.ConstructorError(
                None, None, "键不能是列表或映射", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[str(key)] = key_node.start_mark.line + 1
    return out


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> object:
    """A date-like scalar that is no real date (2023-02-30) stays text for parse_date to report."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def line_of(value: object, key: str | None = None) -> int | None:
    return value.line_of(key) if isinstance(value, LineDict) else None


def load_yaml(ctx: LoadContext, path: Path) -> tuple[bool, object]:
    """(ok, data). On a syntax error, adds an error naming file and line and returns (False, None)."""
    rel = ctx.rel(path)
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            content = raw.decode("gb18030")
        except UnicodeDecodeError:
            ctx.error("schema.encoding", "YAML 文件应为 UTF-8 编码，无法识别本文件的编码", Origin(rel),
                      fix="请用文本编辑器以 UTF-8 编码另存此文件。")
            return False, None
    try:
        return True, yaml.load(content, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except RecursionError:  # PyYAML's parser recurses once per nesting level
        ctx.error("schema.yaml", "YAML 嵌套层数过深（成百上千层的 [ 或 {），无法读取", Origin(rel),
                  fix="检查方括号、花括号是否成对；任务文件的嵌套一般不超过 4 层。")
        return False, None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        ctx.error(
            "schema.yaml",
            f"YAML 语法错误：{problem}",
            Origin(rel, row),
            fix="检查该行及上一行的缩进（只能用空格，不能用 Tab）、冒号后的空格和引号是否成对。",
        )
        return False, None
