"""argparse in Chinese: its own words (usage, option headings, errors) translated.

Standard library only: ``gongshi`` and the standalone ``verify.py`` (built from this package)
share it, so that every --help and usage error a user reads is Simplified Chinese.
"""

from __future__ import annotations

import argparse
import sys

# argparse's own words, in Chinese: everything a user reads is Simplified Chinese.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的取值 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的取值：%(value)r",
    "expected one argument": "需要一个值",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可能是 %(matches)s",
}


def _zh(text: str) -> str:
    return _ARGPARSE_ZH.get(text, text)


def _nzh(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


argparse._ = _zh  # type: ignore[attr-defined]
argparse.ngettext = _nzh  # type: ignore[attr-defined]


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (``<program>：参数错误：…``) and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        name = (self.prog or "").split()[0] or "gongshi"
        print(f"{name}：参数错误：{message}", file=sys.stderr)
        raise SystemExit(2)
