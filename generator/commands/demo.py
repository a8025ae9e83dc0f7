"""``gongshi demo``: write the demo data or synthetic scale data into a folder.

    gongshi demo --out DIR                       the 示例区 district (same bytes as data/)
    gongshi demo --out DIR --scale city          500,000 enterprises, 500 tasks, 50,000 results (2023)
    gongshi demo --out DIR --scale province      5,000,000 enterprises, 5,000 tasks, 500,000 results
    gongshi demo --out DIR --directory 20000 --inspected 400 --tasks 8 [--years 2] [--seed 7]

The knobs override the scale's figures (city's when the scale is district); any knob makes the
output synthetic. The district demo writes office files only: results, the draw log and the draw
material come from replaying the schedule (generator.demo.schedule). Synthetic data runs every
task through the draw engine on a replayed clock (generator.demo.scale_replay); its demo secrets
go to ``DIR-secrets`` beside DIR.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "demo",
        help="生成示例数据（虚构的示例区）或合成规模数据",
        description="生成示例数据：--scale district 为虚构的示例区（与 data/ 相同）；"
        "city / province 为合成规模数据。",
    )
    p.add_argument("--out", type=Path, metavar="目录", help="输出目录")
    p.add_argument("--try", dest="practice", type=Path, default=None, metavar="目录",
                   help="建一个练习目录：重放的示例数据（含示例签名密钥和秘密）和一个尚未公告的练习任务 2024-90，"
                        "配合 --demo-time 试走任务的全过程")
    p.add_argument("--scale", choices=("district", "city", "province"), default="district",
                   help="规模：district（默认）、city、province")
    p.add_argument("--directory", type=int, metavar="N", help="名录库企业数")
    p.add_argument("--inspected", type=int, metavar="M", help="被检查企业总数（全部任务的结果行数）")
    p.add_argument("--tasks", type=int, metavar="T", help="任务数")
    p.add_argument("--years", type=int, metavar="Y", help="任务分布的年数（截至 2023 年，默认 1）")
    p.add_argument("--seed", type=int, metavar="S", help="随机种子（默认固定）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.practice is not None:
        return run_practice(args.practice)
    if args.out is None:
        print("gongshi demo：参数错误：需要 --out 目录（或 --try 目录）", file=sys.stderr)
        return 2
    from ..demo import DEMO_SEED, write_office_files
    from ..demo.synthetic import SCALES, secrets_dir_for, write_synthetic

    knobs = {k: getattr(args, k) for k in ("directory", "inspected", "tasks", "years")}
    started = time.monotonic()
    if args.scale == "district" and all(v is None for v in knobs.values()):
        write_office_files(args.out, DEMO_SEED if args.seed is None else args.seed)
        print(f"已写入示例区示例数据：{args.out}（结果、抽取日志由重放生成）")
        return 0
    base = SCALES["city" if args.scale == "district" else args.scale]
    figures = {k: getattr(base, k) if v is None else v for k, v in knobs.items()}
    try:
        summary = write_synthetic(args.out, seed=1 if args.seed is None else args.seed, **figures)
    except ValueError as exc:
        print(f"gongshi demo：参数错误：{exc}", file=sys.stderr)
        return 2
    print(
        f"已写入合成数据：{args.out}：企业 {summary.directory:,} 户，任务 {summary.tasks:,} 个，"
        f"检查结果 {summary.inspected:,} 条，市场监管所 {summary.stations} 个，"
        f"检查人员 {summary.inspectors} 人；每个任务均已经抽取引擎公告、抽取、揭示和公示"
        f"（示例秘密目录 {secrets_dir_for(args.out)}），用时 {time.monotonic() - started:.1f} 秒。"
    )
    return 0


def run_practice(folder: Path) -> int:
    from ..office.practice import PRACTICE, PracticeRefused, make_practice

    try:
        make_practice(folder)
    except PracticeRefused as exc:
        print(f"gongshi demo：{exc}", file=sys.stderr)
        return 1
    print(f"已建练习目录 {folder}（示例数据，含示例签名密钥）。练习任务 {PRACTICE} 尚未公告，可依次执行：")
    d = f"--data {folder / 'data'} --secrets {folder / 'secrets'}"
    print(f"  gongshi commit {PRACTICE} {d} --demo-time \"2024-01-10 10:00\"")
    print(f"  gongshi draw {PRACTICE} --source \"3 8 15 21 27 33 9\" --source \"4 12 19 25 33 2 7\" "
          f"--source \"1 2 3 4 5\" --source \"7 8 9\" {d} --demo-time \"2024-01-18 10:00\"")
    print(f"  按工作清单（secrets/{PRACTICE}/工作清单.xlsx）填写 data/results/{PRACTICE}.xlsx（模板见 gongshi template）")
    print(f"  gongshi reveal {PRACTICE} {d} --demo-time \"2024-03-01 10:00\"")
    print(f"  gongshi publish {PRACTICE} {d} --demo-time \"2024-03-04 10:00\"")
    print(f"  gongshi build --data {folder / 'data'} --as-of 2024-03-05 --out {folder / 'site'}")
    return 0
