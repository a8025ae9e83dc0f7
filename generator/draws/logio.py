"""Appending to the draw log from the draw operations.

The log store (``generator.tlog.store``) appends atomically under a lock, signs the new
checkpoint and rewrites the tiles. The first append of a new log creates the office's signing
key under ``secrets/log.key`` and publishes ``log/key.pub``; later appends need that key.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from ..tlog.entries import LogError
from ..tlog.signer import generate_signer, verifier_key_file, write_key_file
from ..tlog.store import LogStore
from .fileio import write_atomic
from .workspace import DrawRefused, Workspace

DEFAULT_KEY_NAME = "gongshi.example/log"


def key_name_for(site_url: str) -> str:
    """The log key's name (= the checkpoint origin): the site's host and path, then ``/log``."""
    parts = urlsplit(site_url)
    base = (parts.netloc + parts.path).rstrip("/")
    return (base or DEFAULT_KEY_NAME.removesuffix("/log")) + "/log"


def ensure_key(ws: Workspace) -> None:
    """Create the signing key for a brand-new log; refuse a log whose key is missing."""
    if ws.key_file.exists():
        return
    if ws.log_file.exists() and ws.log_file.stat().st_size:
        raise DrawRefused(
            f"找不到抽取日志的签名私钥 {ws.key_file}。日志已存在，不能换用新密钥；"
            "请从安全备份恢复 secrets/log.key。"
        )
    signer = generate_signer(ws.key_name)
    write_key_file(ws.key_file, signer)
    write_atomic(ws.log_dir / "key.pub", verifier_key_file(signer))


def append_entry(ws: Workspace, fields: dict, now: dt.datetime) -> dict:
    ensure_key(ws)
    store = LogStore(ws.log_dir, ws.key_file)
    try:
        return store.append(fields, clock=lambda: now)
    except LogError as exc:  # torn or edited log, another writer holding the lock
        raise DrawRefused(str(exc)) from exc
