"""Appending to the draw log from the draw operations.

The log store (``generator.tlog.store``) appends atomically under a lock, signs the new
checkpoint and rewrites the tiles. The first append of a new log creates the office's signing
key under ``secrets/log.key`` and publishes ``log/key.pub``; later appends need that key.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from contextlib import ExitStack
from typing import TypeVar
from urllib.parse import urlsplit

from ..fileio import write_atomic
from ..tlog.entries import LogError
from ..tlog.signer import generate_signer, verifier_key_file, write_key_file
from ..tlog.store import LogStore
from .freetext import entry_free_text, refuse_personal
from .workspace import DrawRefused, Workspace

DEFAULT_KEY_NAME = "gongshi.example/log"

F = TypeVar("F", bound=Callable)


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


def exclusive(operation: F) -> F:
    """Run a draw operation ``operation(ws, ...)`` holding the log's write lock throughout.

    Fix (found by tests/test_draws_crash.py): the lock used to be taken only inside the final
    append, so two processes could both pass an operation's checks ("not drawn yet", "not
    announced yet"), both write the task's files, and only then race for the append: the loser
    had already overwritten the winner's ``sources.json`` and draw record (or, for ``commit``,
    the secret itself) with values the log does not commit to. Now the second process is
    refused at once with the lock message (or, if it starts after the first has finished, by
    the operation's own "already done" check), before it writes anything.

    Under the lock, the derived files (tiles, checkpoint) are first brought up to date: a run
    killed between the log's commit point and their rewrite is repaired by the next operation,
    even one that is then refused (e.g. the rerun of a draw that had in fact landed).
    """

    @functools.wraps(operation)
    def run(ws: Workspace, *args, **kwargs):
        if ws.store is not None:  # already inside an exclusive operation (re-entrant)
            return operation(ws, *args, **kwargs)
        store = LogStore(ws.log_dir, ws.key_file)
        with ExitStack() as stack:
            try:
                stack.enter_context(store.locked())
                if ws.key_file.exists() and ws.log_file.exists():
                    store.repair_derived()
            except LogError as exc:  # busy, or a torn or edited log: refuse, never repair lines
                raise DrawRefused(str(exc)) from exc
            ws.store = store
            ws.journal = []
            before = ws.log_file.stat().st_size if ws.log_file.exists() else 0
            try:
                return operation(ws, *args, **kwargs)
            except BaseException:
                # refused or failed before its entry: undo its writes (once the entry is in
                # the log, the files it commits to stay; the next operation repairs the rest)
                if (ws.log_file.stat().st_size if ws.log_file.exists() else 0) == before:
                    ws.undo()
                raise
            finally:
                ws.store = None
                ws.journal = None

    return run  # type: ignore[return-value]


def append_entry(ws: Workspace, fields: dict, now: dt.datetime) -> dict:
    # last defence: no personal data or credit-risk class in an entry's free text (freetext)
    refuse_personal(entry_free_text(fields))
    ensure_key(ws)
    store = ws.store or LogStore(ws.log_dir, ws.key_file)  # reuse the held lock (re-entrant)
    try:
        return store.append(fields, clock=lambda: now)
    except LogError as exc:  # torn or edited log, another writer holding the lock
        raise DrawRefused(str(exc)) from exc
