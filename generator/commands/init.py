"""``gongshi init FOLDER --name 机关名称 --url 网址``: start a new office folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "init", help="新建监管局目录：门户设置、空白名录库和人员名录库、模板和签名密钥",
        description="新建一个监管局目录：data/（portal.yaml、抽查事项清单、带中文表头的空白名录库、"
                    "检查人员和专家名录库）、模板/（全部 Excel 模板和数据文件说明）、secrets/log.key"
                    "（新生成的抽取日志签名私钥，务必备份、不要公开）。目录中已有数据时拒绝执行，不覆盖任何文件。")
    p.add_argument("folder", type=Path, metavar="目录", help="新目录（可以不存在）")
    p.add_argument("--name", required=True, metavar="机关名称", help="如 某某市某某区市场监督管理局")
    p.add_argument("--url", required=True, metavar="网址",
                   help="公示网站的网址，如 https://gongshi.example.gov.cn/（决定签名密钥的名称，之后不要再改）")
    p.add_argument("--region", default="", metavar="代码", help="行政区划代码（6 位）")
    p.add_argument("--short", default="", metavar="简称", help="机关简称")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..office.init import InitRefused, init_office

    try:
        office = init_office(args.folder, args.name, args.url, args.region, args.short)
    except InitRefused as exc:
        print(f"gongshi init：{exc}", file=sys.stderr)
        return 1
    print(f"已新建监管局目录 {office.root}：")
    print(f"  数据：{office.data}（先修改 portal.yaml 中的“单位”，再填写 directory/、roster/ 中的 Excel 文件）")
    print(f"  模板：{office.templates}（任务.xlsx 复制到 data/tasks/任务编号.xlsx 填写；结果模板复制到 data/results/）")
    print(f"  签名私钥：{office.secrets / 'log.key'}（请立即备份到安全的地方，不要公开，不要提交到仓库）")
    print(f"下一步：gongshi check --data {office.data}")
    return 0
