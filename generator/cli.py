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

from .verifier.zh_args import ChineseArgumentParser

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
