"""``gongshi init FOLDER``: a new office folder, ready for the clerk's first task.

Writes ``FOLDER/data/`` (portal.yaml with the office's name and address, items.yaml with the
plan's ten kinds of 抽查事项 to adapt, an empty directory, roster and experts file with the right
Chinese headers, empty tasks/ and results/), ``FOLDER/模板/`` (every XLSX template and the
clerks' reference), a fresh Ed25519 signing key ``FOLDER/secrets/log.key`` with its public half
``FOLDER/data/log/key.pub``, and a ``.gitignore`` keeping secrets/ out of any repository.
Refuses a folder that already holds office data: it never overwrites anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..demo.district import ITEMS
from ..demo.files import yaml_bytes
from ..draws.logio import key_name_for
from ..fileio import write_atomic
from ..load.base import LoadContext
from ..load.vocab import load_vocabularies
from ..tlog.signer import generate_signer, verifier_key_file, write_key_file
from .files import DIRECTORY, EXPERTS, ROSTER
from .reference import reference_markdown
from .templates import table_workbook, write_templates


class InitRefused(Exception):
    """The folder already holds office data (message in Chinese)."""


@dataclass(frozen=True)
class NewOffice:
    root: Path
    data: Path
    secrets: Path
    templates: Path
    key_name: str


def portal_yaml(name: str, url: str, region: str, short: str) -> bytes:
    portal = {
        "机关名称": name,
        "简称": short or name,
        "行政区划代码": region,
        "网址": url,
        "示例数据": False,
        "公示时限工作日": 20,
        "联系方式": f"{name}（请填写联系电话或地址）",
        "单位": [
            {"编号": "xinyong", "名称": "信用监管科", "类型": "局机关"},
            {"编号": "s01", "名称": "第一市场监管所", "类型": "市场监管所"},
        ],
    }
    note = ("本局门户设置。请把“单位”改为本局的科室和市场监管所（编号用字母数字，一经使用不要改）。\n"
            "“网址”决定抽取日志签名密钥的名称：开始公告任务后不要再改。")
    return yaml_bytes(portal, note)


def init_office(root: Path, name: str, url: str, region: str = "", short: str = "") -> NewOffice:
    root = Path(root)
    data, secrets, templates = root / "data", root / "secrets", root / "模板"
    existing = [p for p in (data / "portal.yaml", secrets / "log.key", data / "log") if p.exists()]
    if existing:
        raise InitRefused(f"{existing[0]} 已存在：{root} 已是一个监管局目录，init 不会覆盖任何文件。"
                          "请换一个新目录，或直接在该目录中工作。")
    vocab = load_vocabularies(LoadContext(data))
    key_name = key_name_for(url)
    write_atomic(data / "portal.yaml", portal_yaml(name, url, region, short))
    write_atomic(data / "items.yaml", yaml_bytes(
        [dict(i) for i in ITEMS],
        "抽查事项清单（按随机抽查事项清单的列），请按本局的抽查事项清单修改。"))
    for spec, path in ((DIRECTORY, data / "directory" / DIRECTORY.template),
                       (ROSTER, data / "roster" / ROSTER.template),
                       (EXPERTS, data / "roster" / EXPERTS.template)):
        write_atomic(path, table_workbook(spec, vocab))
    for sub in ("tasks", "results"):
        (data / sub).mkdir(parents=True, exist_ok=True)
    write_templates(templates, vocab)
    write_atomic(templates / "数据文件说明.md", reference_markdown(vocab).encode("utf-8"))
    signer = generate_signer(key_name)
    write_key_file(secrets / "log.key", signer)
    write_atomic(data / "log" / "key.pub", verifier_key_file(signer))
    gitignore = root / ".gitignore"
    if not gitignore.exists():
        write_atomic(gitignore, b"secrets/\n/site/\n")
    return NewOffice(root, data, secrets, templates, key_name)
