"""The ``gongshi`` command line.

Each subcommand lives in its own module under ``generator.commands`` and exposes
``register(subparsers)`` (adds its parser and sets ``func``) — the CLI lists them in
``COMMANDS``. A command returns its exit code: 0 success, 1 data errors or refusals,
2 usage errors. Messages a user reads are in Simplified Chinese.
"""

from __future__ import annotations

import argparse
import importlib
import sys

COMMANDS = (
    "init",
    "template",
    "reference",
    "check",
    "deadline",
    "build",
    "commit",
    "draw",
    "worklist",
    "import_list",
    "reassign",
    "cancel",
    "reveal",
    "publish",
    "report",
    "audit_export",
    "audit",
    "anchor",
    "verify",
    "keystring",
    "ticket",
    "demo",
)


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
    """argparse with Chinese usage errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"gongshi：参数错误：{message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseArgumentParser(
        prog="gongshi",
        description="公示台：双随机、一公开 抽查公示门户生成器",
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"generator.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"generator.commands.{name}":
                continue  # command not built yet
            raise
        module.register(sub)
    for choice in sub._choices_actions:  # every subcommand's --help opens with a description
        parser_of = sub.choices[choice.dest]
        if not parser_of.description:
            parser_of.description = choice.help
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("gongshi：已中断。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
