"""Secrets that must never be published, recognised without reading ``secrets/``.

The build never reads the office's secrets, so it cannot list them; it can still recognise
them in its output:

- a one-time secret or code of a task not yet revealed hashes, through the task's hash chain
  (PROTOCOL §5.2: ``C = H^n(secret)``, ``code = H^(n-1)(secret)``), to the commitment its
  published announce entry carries: every 64-hex token of every output file is hashed up to n
  times and compared with the commitments of the unrevealed tasks;
- the office's log signing key has a fixed text form (Go sumdb/note ``PRIVATE+KEY+…``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

HEX64 = re.compile(rb"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
PRIVATE_KEY = re.compile(rb"PRIVATE\+KEY\+[^\s+]+\+[0-9a-fA-F]{8}\+[A-Za-z0-9+/]{40,}={0,2}")


def unrevealed_commitments(view) -> dict[str, int]:
    """commitment hex -> n, for every task announced but not revealed as of the view's date."""
    out: dict[str, int] = {}
    for tv in view.tasks:
        announce = tv.announce
        if announce is not None and tv.reveal is None and "commitment" in announce:
            out[str(announce["commitment"]).lower()] = int(announce.get("n", 1))
    return out


class SecretFinder:
    """Finds preimages of unrevealed commitments and signing keys in bytes."""

    def __init__(self, commitments: Mapping[str, int]):
        self.targets = {bytes.fromhex(c) for c in commitments}
        self.depth = max(commitments.values(), default=0)

    def find(self, data: bytes) -> list[tuple[str, str]]:
        """(rule, value) pairs; the value is shown shortened so the report does not republish it."""
        found: list[tuple[str, str]] = []
        for m in PRIVATE_KEY.finditer(data):
            found.append(("日志签名私钥", m.group()[:24].decode("ascii", "replace") + "…"))
        if not self.targets:
            return found
        seen: set[bytes] = set()
        for m in HEX64.finditer(data):
            token = m.group().lower()
            if token in seen:
                continue
            seen.add(token)
            value = bytes.fromhex(token.decode("ascii"))
            for _ in range(self.depth):
                value = hashlib.sha256(value).digest()
                if value in self.targets:
                    found.append(("未揭示任务的一次性秘密或代码", token[:12].decode("ascii") + "…"))
                    break
        return found
