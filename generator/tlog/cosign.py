"""Witness cosignatures of checkpoints (c2sp.org/tlog-cosignature, ``cosignature/v1``, Ed25519).

Standard library only (bundled into the standalone ``verify.py``); no I/O.

A cosignature is a note signature line ``— <witness name> base64(key ID ‖ timestamp ‖ sig)``
on the checkpoint: key ID = SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4], timestamp a
big-endian u64 of POSIX seconds, sig the Ed25519 signature of ``cosignature/v1\\ntime
<timestamp>\\n`` followed by the checkpoint's note body. Witness keys are published in
``log/witnesses.pub``, one vkey ``<name>+<hex key ID>+<base64(0x04 ‖ public key)>`` per line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from . import ed25519
from .note import NoteError, is_valid_name, parse_note

ALG_COSIGNATURE_V1 = 0x04
WITNESSES = "log/witnesses.pub"


@dataclass(frozen=True)
class Witness:
    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return witness_key_id(self.name, self.public_key)

    def text(self) -> str:
        raw = bytes([ALG_COSIGNATURE_V1]) + self.public_key
        return f"{self.name}+{self.key_id.hex()}+{base64.b64encode(raw).decode('ascii')}"


def witness_key_id(name: str, public_key: bytes) -> bytes:
    data = name.encode("utf-8") + b"\n" + bytes([ALG_COSIGNATURE_V1]) + public_key
    return hashlib.sha256(data).digest()[:4]


def signed_message(body: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: header, time line, then the checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def parse_witnesses(data: bytes) -> list[Witness]:
    """``log/witnesses.pub``: one vkey of type 0x04 per LF-terminated line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError(f"{WITNESSES} 不是 UTF-8 文本") from None
    if not text.endswith("\n"):
        raise NoteError(f"{WITNESSES} 应以换行结尾")
    out = []
    for line in text[:-1].split("\n"):
        parts = line.split("+", 2)
        if len(parts) != 3 or not is_valid_name(parts[0]):
            raise NoteError(f"{WITNESSES}：见证人公钥格式应为 名称+8位十六进制+base64，实为 {line!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except (binascii.Error, ValueError):
            raise NoteError(f"{WITNESSES}：见证人公钥的 base64 不合规：{line!r}") from None
        if len(raw) != 33 or raw[0] != ALG_COSIGNATURE_V1:
            raise NoteError(f"{WITNESSES}：见证人公钥应为类型字节 0x04 加 32 字节 Ed25519 公钥")
        witness = Witness(parts[0], raw[1:])
        if witness.key_id.hex() != parts[1]:
            raise NoteError(f"{WITNESSES}：见证人 {parts[0]} 的密钥编号应为 {witness.key_id.hex()}")
        out.append(witness)
    return out


@dataclass(frozen=True)
class Cosignature:
    witness: Witness
    time: datetime
    body: str  # the cosigned checkpoint's note body


def verify_cosigned(note: bytes, witnesses: list[Witness]) -> Cosignature:
    """The first valid cosignature by a published witness on the checkpoint ``note``."""
    parsed = parse_note(note)
    known = {(w.name, w.key_id): w for w in witnesses}
    mine = [s for s in parsed.signatures if (s.name, s.key_id) in known]
    if not mine:
        raise NoteError(f"没有 {WITNESSES} 中任何见证人的副署")
    problems = []
    for sig in mine:
        witness = known[(sig.name, sig.key_id)]
        timestamp = int.from_bytes(sig.signature[:8], "big")
        if len(sig.signature) != 8 + 64:
            problems.append(f"见证人 {witness.name} 的副署长度应为 8 + 64 字节")
        elif timestamp >= 1 << 63:
            problems.append(f"见证人 {witness.name} 的副署时间戳超出范围")
        elif not ed25519.verify(witness.public_key, signed_message(parsed.text, timestamp),
                                sig.signature[8:]):
            problems.append(f"见证人 {witness.name} 的副署签名无效")
        else:
            return Cosignature(witness, datetime.fromtimestamp(timestamp, UTC), parsed.text)
    raise NoteError("；".join(problems))
