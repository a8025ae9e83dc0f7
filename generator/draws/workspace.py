"""Where a draw's files live, and reading them back.

``data/draws/<task>/`` holds the task's public material (PROTOCOL §11 names); the site decides
from the log what of it may be shown as of a date. ``secrets/<task>/`` holds the secret and,
until reveal, the draw record (listings, cut-offs, exclusions). ``secrets/log.key`` is the
office's Ed25519 signing key. Secrets are git-ignored, mode 0600, and never read by the build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..fileio import write_atomic, write_secret
from ..state import TaskEntries, task_entries
from ..tlog.entries import LogError, parse_log

Clock = Callable[[], dt.datetime]


class DrawRefused(Exception):
    """A draw operation refused, with a Chinese message saying what to change."""


class Unchanged(Exception):  # noqa: N818 - not an error: nothing to do
    """Nothing to do (e.g. publishing the results already published); the message says so."""


def bj_time(utc: str) -> str:
    """A log time (``YYYY-MM-DDTHH:MM:SSZ``) as Beijing time for messages: 2023-03-06 21:15（北京时间）."""
    moment = dt.datetime.strptime(utc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(_BEIJING):%Y-%m-%d %H:%M:%S}（北京时间）"


_BEIJING = dt.timezone(dt.timedelta(hours=8))


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Workspace:
    data_dir: Path
    secrets_dir: Path
    clock: Clock = field(default=system_clock)
    key_name: str = "gongshi.example/log"  # the log key's name = checkpoint origin
    # The LogStore whose write lock the running operation holds (``logio.exclusive``), or None.
    store: Any = field(default=None, repr=False, compare=False)
    # While an operation runs: what its writes replaced, to undo them if it fails (see undo()).
    journal: list | None = field(default=None, repr=False, compare=False)

    @classmethod
    def at(cls, data_dir: str | Path, secrets_dir: str | Path | None = None,
           clock: Clock | None = None) -> Workspace:
        data = Path(data_dir)
        secrets = Path(secrets_dir) if secrets_dir else data.resolve().parent / "secrets"
        return cls(data, secrets, clock or system_clock)

    # -- paths -----------------------------------------------------------------------------
    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "draws.jsonl"

    @property
    def key_file(self) -> Path:
        return self.secrets_dir / "log.key"

    def public_dir(self, task: str) -> Path:
        return self.data_dir / "draws" / task

    def secret_dir(self, task: str) -> Path:
        return self.secrets_dir / task

    # -- log ---------------------------------------------------------------------------------
    def entries(self) -> list[dict]:
        if not self.log_file.exists():
            return []
        try:
            return parse_log(self.log_file.read_bytes())
        except LogError as exc:  # fix: a torn or edited log is a refusal, not a traceback
            raise DrawRefused(
                f"抽取日志 {self.log_file} 已损坏，拒绝继续（不会自动修复）：{exc}"
            ) from exc

    def task_entries(self, task: str) -> TaskEntries:
        return task_entries(self.entries(), task)

    # -- files -------------------------------------------------------------------------------
    def public_files(self, task: str) -> dict[str, bytes]:
        folder = self.public_dir(task)
        if not folder.is_dir():
            return {}
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}

    def secret_files(self, task: str) -> dict[str, bytes]:
        folder = self.secret_dir(task)
        if not folder.is_dir():
            return {}
        return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}

    def write_public(self, task: str, name: str, data: bytes) -> None:
        self._remember(self.public_dir(task) / name, secret=False)
        write_atomic(self.public_dir(task) / name, data)

    def write_secret(self, task: str, name: str, data: bytes) -> None:
        self._remember(self.secret_dir(task) / name, secret=True)
        write_secret(self.secret_dir(task) / name, data)

    def _remember(self, path: Path, secret: bool) -> None:
        if self.journal is None or any(p == path for p, *_ in self.journal):
            return
        created = [] if path.parent.exists() else [path.parent]
        self.journal.append((path, path.read_bytes() if path.exists() else None, secret, created))

    def undo(self) -> None:
        """Put back every file the running operation wrote (it failed before its log entry):
        a failed command leaves nothing behind."""
        for path, old, secret, created in reversed(self.journal or []):
            if old is None:
                path.unlink(missing_ok=True)
            elif secret:
                write_secret(path, old)
            else:
                write_atomic(path, old)
            for folder in created:
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()

    def read_secret(self, task: str) -> bytes:
        path = self.secret_dir(task) / "secret"
        if not path.exists():
            raise DrawRefused(
                f"找不到任务 {task} 的秘密文件 {path}。秘密只保存在执行 commit 的机器上；"
                "请在那台机器上操作，或从其安全备份恢复 secrets/ 目录。"
            )
        return bytes.fromhex(path.read_text(encoding="ascii").strip())

    def now(self) -> dt.datetime:
        moment = self.clock()
        if moment.tzinfo is None:
            raise ValueError("clock must return an aware datetime")
        return moment.astimezone(dt.UTC).replace(microsecond=0)
