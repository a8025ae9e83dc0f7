"""Shared helpers for the site tests: one fixture build per as-of date per session."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import tempfile
from pathlib import Path

from generator.site.build import build_site
from generator.site.fixtures import fixture_model_with_results
from generator.site.source import FIXTURES

AS_OF = dt.date(2023, 12, 29)
_TMP = Path(tempfile.mkdtemp(prefix="gongshi-site-tests-"))


@functools.cache
def built_site(as_of: dt.date = AS_OF, name: str = "site") -> Path:
    return build_site(FIXTURES, as_of, _TMP / f"{as_of.isoformat()}-{name}")


@functools.cache
def demo_site(as_of: dt.date = AS_OF) -> Path:
    """The demo office's site (``data/``), built once per session."""
    return build_site(str(Path(__file__).resolve().parents[1] / "data"), as_of,
                      _TMP / f"{as_of.isoformat()}-demo")


@functools.cache
def fixture(as_of: dt.date = AS_OF):
    return fixture_model_with_results(as_of)


def without_outbound_links(text: str) -> str:
    """A page's HTML less its links to the national publicity system (a link a reader may
    follow is no request of the page); every mention of that address must be such a link."""
    from generator.site.labels import GSXT

    link = f'<a href="{GSXT}" rel="external">'
    assert text.count(link) == text.count(GSXT), "国家企业信用信息公示系统的地址只能出现在外部链接中"
    return text.replace(link, "")


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def read_all(root: Path) -> dict[str, bytes]:
    """Every file of a site, gzip inflated; a zip's members as ``archive.zip:path`` (their
    path below the archive's top folder)."""
    import gzip

    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if data[:2] == b"\x1f\x8b":
                try:
                    data = gzip.decompress(data)
                except OSError:
                    pass
            rel = p.relative_to(root).as_posix()
            if rel.endswith(".zip"):  # an archive: its members, each under its path inside
                import io
                import zipfile

                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    for name in zf.namelist():
                        out[f"{rel}:{name.split('/', 1)[-1]}"] = zf.read(name)
                continue
            out[rel] = data
    return out
